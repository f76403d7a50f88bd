// What hono-rate-limiter's `rateLimiter` and `webSocketLimiter` share: the store (ours natively, or
// a hit counter of its interface, initialised with the options), and the policy it counts under.
import type { Context } from 'hono'
import { fixedWindow, type Store as NativeStore, type Policy, RateLimitOptionsError } from '../../src/index.js'
import { PeerLimits } from '../shared/peer-limits.js'
import { createPeerLimiter, type KeyHelpers, keyHelpersOf, type PeerLimiter } from '../shared/peer-request.js'
import { type HitCounter, isHitCounter, isNativeStore, PeerStore } from '../shared/peer-store.js'

/** The options both limiters count by. */
export interface CountingOptions {
  readonly windowMs: number
  readonly limit: number | ((c: Context) => unknown)
  readonly store: unknown
  readonly skipFailedRequests: boolean
}

/** A limiter of hono-rate-limiter's options, with its per-request limits and `getKey`/`resetKey`. */
export interface HonoLimiter extends PeerLimiter {
  readonly limits: PeerLimits<Context>
  readonly helpers: KeyHelpers
}

/**
 * The limiter of `options`; a hit counter store is initialised with them (`initOptions`, what the
 * middleware resolved), as hono-rate-limiter does, and decides through a `PeerStore`.
 */
export function honoLimiterOf(options: CountingOptions, initOptions: unknown): HonoLimiter {
  const { store } = options
  if (!isNativeStore(store) && !isHitCounter(store))
    throw new RateLimitOptionsError(
      'Expected `store` to be a MemoryStore or RedisStore, or a store of the hono-rate-limiter Store interface (increment, decrement, resetKey)',
    )
  const counter = isNativeStore(store) ? undefined : (store as HitCounter<unknown>)
  counter?.init?.(initOptions)
  const peerLimiter = createPeerLimiter({
    store: counter ? new PeerStore(counter, { giveBackRefusals: options.skipFailedRequests }) : (store as NativeStore),
    policy: policyOf(options),
    prefix: 'hrl',
  })
  const limits = new PeerLimits<Context>(
    options.limit as PeerLimits<Context>['limit'],
    (c) => [c],
    () => {},
  )
  return { ...peerLimiter, limits, helpers: keyHelpersOf(counter, peerLimiter.limiter) }
}

/** A fixed window opened by each client's first request, as hono-rate-limiter's stores count. */
function policyOf({ limit, windowMs }: CountingOptions): Policy {
  if (typeof limit !== 'function' && !(Number.isSafeInteger(limit) && limit >= 0))
    throw new RateLimitOptionsError(
      `Expected \`limit\` to be a non-negative integer or a function, got ${String(limit)}`,
    )
  // A limit of 0 or a function of the request is decided per request: the policy's is a placeholder.
  const fixed = typeof limit === 'number' && limit > 0
  return fixedWindow({ limit: fixed ? limit : 1, windowMs, anchor: 'first-request', ...(!fixed && { name: 'limit' }) })
}
