import { sleep } from './redis-server.js'

/** One call made by {@link steadyLoad}: when it started (ms into the run), how long it took, what it gave. */
export interface LoadSample<T> {
  readonly startedMs: number
  readonly latencyMs: number
  readonly value: T
}

/**
 * Starts `fire` every `everyMs` for `durationMs`, without waiting for earlier calls, and resolves
 * when all have settled. Rejections are collected, never thrown: the tests count them.
 */
export async function steadyLoad<T>(
  durationMs: number,
  everyMs: number,
  fire: (elapsedMs: number) => Promise<T>,
): Promise<{ samples: LoadSample<T>[]; rejections: unknown[] }> {
  const samples: LoadSample<T>[] = []
  const rejections: unknown[] = []
  const pending: Promise<void>[] = []
  const runStartMs = performance.now()
  while (performance.now() - runStartMs < durationMs) {
    const startedMs = performance.now()
    pending.push(
      fire(startedMs - runStartMs).then(
        (value) =>
          void samples.push({ startedMs: startedMs - runStartMs, latencyMs: performance.now() - startedMs, value }),
        (error: unknown) => void rejections.push(error),
      ),
    )
    await sleep(everyMs)
  }
  await Promise.all(pending)
  samples.sort((a, b) => a.startedMs - b.startedMs)
  return { samples, rejections }
}
