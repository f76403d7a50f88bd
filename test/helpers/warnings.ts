import { afterAll, beforeAll } from 'vitest'

/**
 * Listens to the calling test file's `RateLimitWarning`s, from before its tests to after them;
 * resolves to the messages emitted so far with `code` (a process warning comes on the next tick).
 * Vitest isolates test files, so in each file every warning starts unseen.
 */
export function rateLimitWarnings(): ((code: string) => Promise<string[]>) & {
  all(): Promise<string[]>
  forget(): void
} {
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
  const emitted = async (code: string) => {
    await new Promise((resolve) => setImmediate(resolve))
    return warnings.filter((warning) => warning.code === code).map((warning) => warning.message)
  }
  /** The messages of every code emitted so far. */
  const all = async () => {
    await new Promise((resolve) => setImmediate(resolve))
    return warnings.map((warning) => warning.message)
  }
  /** Forgets the warnings collected so far, for a test that starts afresh (with vi.resetModules). */
  const forget = () => {
    warnings.length = 0
  }
  return Object.assign(emitted, { all, forget })
}
