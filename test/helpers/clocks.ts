import { sleep } from './redis-server.js'

/**
 * A clock ahead of real time, still within one step and moved on between steps by the step's advance
 * plus the real time that passed, so it never runs slower than the Redis TTLs it sets. `lookAhead`
 * shifts the next readings (for peeks, which write nothing) without moving the clock.
 */
export function steppingClock(): { now(): number; step(advanceMs: number): void; lookAhead(ms: number): void } {
  const realStartMs = performance.now()
  let advancedMs = (Math.floor(Date.now() / 3_600_000) + 1) * 3_600_000
  let stepMs = advancedMs
  let aheadMs = 0
  return {
    now: () => stepMs + aheadMs,
    step(advanceMs) {
      advancedMs += advanceMs
      stepMs = Math.max(stepMs, advancedMs + Math.ceil(performance.now() - realStartMs))
    },
    lookAhead(ms) {
      aheadMs = ms
    },
  }
}

/**
 * Waits past the next edge of epoch-aligned windows of `windowMs` if it falls within `withinMs`: a
 * test that counts a window's allowed decisions over several seconds would otherwise see the
 * window turn under it (an hour's edge included) and the limit granted twice, as it should be.
 */
export async function clearOfWindowEdge(windowMs: number, withinMs: number): Promise<void> {
  const untilEdgeMs = windowMs - (Date.now() % windowMs)
  if (untilEdgeMs <= withinMs) await sleep(untilEdgeMs + 50)
}
