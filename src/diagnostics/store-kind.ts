import { MemoryStore } from '../memory-store.js'
import type { Store } from '../store.js'

/**
 * The RedisStores made in this process, held weakly. They register here rather than being told
 * apart by `instanceof`, so that the limiter need not import RedisStore, and an app that bundles
 * only the memory store leaves the Redis code (and its scripts) out.
 */
const redisStores = new WeakSet<Store>()

/** Marks a store as a RedisStore, for the diagnostics channels. */
export function registerRedisStore(store: Store): void {
  redisStores.add(store)
}

/** The kind of store, as the diagnostics channels name it. */
export function storeKindOf(store: Store): 'redis' | 'memory' | 'custom' {
  if (redisStores.has(store)) return 'redis'
  return store instanceof MemoryStore ? 'memory' : 'custom'
}
