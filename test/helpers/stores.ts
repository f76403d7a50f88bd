import { MemoryStore, RedisStore, type Store } from '../../src/index.js'
import { connectCluster, connectStandalone } from './redis.js'

/** Every store the behaviour suites run on: the memory store and Redis, standalone and Cluster. */
export const storeKinds = ['memory', 'standalone', 'cluster'] as const
export type StoreKind = (typeof storeKinds)[number]

/** A store of the given kind; Redis clients are quit after the test file. */
export function createStore(kind: StoreKind): Store {
  if (kind === 'memory') return new MemoryStore()
  return new RedisStore({ client: kind === 'standalone' ? connectStandalone() : connectCluster() })
}

/** A clock the test moves by hand, starting at the next window boundary of `windowMs` after now. */
export function manualClock(windowMs = 3_600_000): {
  now: () => number
  set(ms: number): void
  readonly start: number
} {
  // Ahead of real time, so Redis TTLs (which run on real time) never expire state the clock still needs.
  const start = (Math.floor(Date.now() / windowMs) + 1) * windowMs
  let nowMs = start
  return {
    start,
    now: () => nowMs,
    set(ms) {
      nowMs = ms
    },
  }
}
