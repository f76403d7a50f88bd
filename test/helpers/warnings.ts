import { afterAll, beforeAll } from 'vitest'

/**
 * Listens to the calling test file's `RateLimitWarning`s, from before its tests to after them;
 * resolves to the messages emitted so far with `code` (a process warning comes on the next tick).
 * Vitest isolates test files, so in each file every warning starts unseen.
 */
export function rateLimitWarnings(): (code: string) => Promise<string[]> {
  const warnings: { code: string; message: string }[] = []
  const collect = (warning: Error & { code?: string }) => {
    if (warning.name === 'RateLimitWarning') warnings.push({ code: warning.code ?? '', message: warning.message })
  }
  beforeAll(() => {
    process.on('warning', collect)
  })
  afterAll(() => {
    process.off('warning', collect)
  })
  return async (code) => {
    await new Promise((resolve) => setImmediate(resolve))
    return warnings.filter((warning) => warning.code === code).map((warning) => warning.message)
  }
}
