// The express-rate-limit entry's `store`: ours, decided natively, or a hit counter of
// express-rate-limit's interface, initialised with the options as it does and decided through a
// PeerStore (count, then compare); and what the double-count check keys a store by.
import { MemoryStore, type Store as NativeStore, RateLimitOptionsError } from '../../src/index.js'
import { type HitCounter, isHitCounter, isNativeStore, type LegacyHitCounter, PeerStore } from '../shared/peer-store.js'
import type { ResolvedOptions } from './config.js'
import { checkCount } from './request-checks.js'
import type { Options } from './types.js'
import type { Validations } from './validations.js'

/** The store: a given one (ours, or a hit counter of express-rate-limit's interface), or a new MemoryStore. */
export function readStore(store: unknown): NativeStore | HitCounter<Options> | LegacyHitCounter {
  if (store === undefined) return new MemoryStore()
  if (isNativeStore(store) || isHitCounter(store)) return store as NativeStore | HitCounter<Options> | LegacyHitCounter
  throw new RateLimitOptionsError(
    'Expected `store` to be a MemoryStore or RedisStore, or a store of the express-rate-limit Store interface (increment, decrement, resetKey)',
  )
}

/** A hit counter under our limiter, initialised with the options as express-rate-limit does, errors logged. */
export function peerStoreOf(
  counter: HitCounter<Options> | LegacyHitCounter,
  options: ResolvedOptions,
  validations: Validations,
): PeerStore {
  const { logger } = options
  try {
    const init = 'init' in counter ? counter.init?.(options) : undefined
    if (init instanceof Promise)
      init.catch((error) => logger.error(error, 'express-rate-limit: async error during store initialization.'))
  } catch (error) {
    logger.error(error, 'express-rate-limit: error during store initialization.')
  }
  return new PeerStore(counter, {
    // A refusal's 429 is a failed request: skipFailedRequests gives its hit back.
    giveBackRefusals: options.skipFailedRequests,
    onCount: (count) => checkCount(count, options.standardHeaders, validations),
    onDecrementError: (error) => logger.error(error, 'express-rate-limit: error from store during decrement.'),
  })
}

/**
 * What keys are counted in, for the double-count check: a store of this process alone (a
 * MemoryStore, a hit counter with `localKeys`) is its own; stores that share their counts (Redis)
 * are told apart by kind, since two of them may hold the same counts.
 */
export function countedIn(store: object): unknown {
  const local = store instanceof MemoryStore || (store as { localKeys?: boolean }).localKeys === true
  return local ? store : store.constructor
}

/** The namespace a key is counted under: a hit counter's prefix, or our policy's name. */
export function countedUnder(store: object, limiter: { policies: readonly { name: string }[] }): string {
  if (isNativeStore(store)) return `${limiter.policies[0]?.name}\n`
  return (store as { prefix?: string }).prefix ?? ''
}
