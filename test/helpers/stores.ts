import { MemoryStore, RedisStore, type Store } from '../../src/index.js'
import { connectCluster, connectNodeRedis, connectNodeRedisCluster, connectStandalone } from './redis.js'

/**
 * Every store the behaviour suites run on: the memory store, and Redis standalone and Cluster
 * through ioredis (`standalone`, `cluster`) and through node-redis.
 */
export const storeKinds = ['memory', 'standalone', 'cluster', 'node-redis', 'node-redis-cluster'] as const
export type StoreKind = (typeof storeKinds)[number]

/** A store of the given kind; Redis clients are quit after the test file. */
export function createStore(kind: StoreKind): Store {
  if (kind === 'memory') return new MemoryStore()
  const connect = {
    standalone: connectStandalone,
    cluster: connectCluster,
    'node-redis': connectNodeRedis,
    'node-redis-cluster': connectNodeRedisCluster,
  }
  return new RedisStore({ client: connect[kind]() })
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
