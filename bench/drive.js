// Keeps a fixed number of decisions in flight for a fixed time: when one settles, the next starts.

/** How many settlements pass between two looks at the clock: reading it is not free at 5 M/s. */
const CLOCK_EVERY = 128

/**
 * Runs `decide(key)` with `concurrency` calls in flight for `durationMs`, keys from `nextKey()`.
 * `decide` resolves to a verdict: `'allowed'`, `'denied'` or `'degraded'` (the store failed and the
 * limiter decided without it); a rejection counts as an error. Resolves to the counts and the
 * decisions per second.
 */
export async function drive({ decide, nextKey, concurrency, durationMs }) {
  const counts = { allowed: 0, denied: 0, degraded: 0, errors: 0 }
  let settled = 0
  let running = true
  const startMs = performance.now()
  const endMs = startMs + durationMs
  let firstError

  // A loop per slot: an in-memory store settles without ever yielding to timers, so the loops
  // read the clock themselves rather than wait for a timer that would never fire.
  async function slot() {
    while (running) {
      try {
        counts[await decide(nextKey())]++
      } catch (error) {
        counts.errors++
        firstError ??= error
      }
      if (++settled % CLOCK_EVERY === 0 && performance.now() >= endMs) running = false
    }
  }

  await Promise.all(Array.from({ length: concurrency }, slot))
  const elapsedMs = performance.now() - startMs
  return { ...counts, settled, elapsedMs, perSecond: (settled / elapsedMs) * 1000, firstError }
}
