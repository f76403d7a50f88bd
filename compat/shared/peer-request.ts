// What both peers' middleware do beyond deciding: their options read with `undefined` as the
// default, their limiter's answer to store failures, and `getKey`/`resetKey`.
import { type Policy, RateLimiter, type Store, StoreUnavailableError } from '../../src/index.js'
import type { HitCount, HitCounter, LegacyHitCounter } from './peer-store.js'

type Awaitable<T> = T | Promise<T>

/** The options without those set to `undefined`, which both peers read as "the default". */
export function definedOnly<T extends object>(options: T): Partial<T> & Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>
}

/** What a compat entry's limiter is made of. */
export interface PeerLimiterSpec {
  /** Our store, or a peer's hit counter as a `PeerStore`. */
  readonly store: Store
  readonly policy: Policy
  readonly prefix: string
  /**
   * When given, a store failure lets the request through and is reported here (express-rate-limit's
   * `passOnStoreError`); otherwise the request is refused and `takeFailure` hands the error to the
   * framework, as both peers pass a store's error on.
   */
  readonly passingOn?: ((error: unknown) => void) | undefined
}

/** A compat entry's limiter, and the store failure behind its last degraded refusal. */
export interface PeerLimiter {
  readonly limiter: RateLimiter
  /** The store's last failure (or, when the circuit breaker kept it from being asked, an error saying so). */
  takeFailure(): unknown
}

/**
 * The limiter a compat entry hands its adapter: counting refusals where the store can (so `used`
 * goes past `limit` as with the peers), and answering store failures as the peers do.
 */
export function createPeerLimiter({ store, policy, prefix, passingOn }: PeerLimiterSpec): PeerLimiter {
  let lastFailure: unknown
  const limiter = new RateLimiter({
    store,
    policy,
    prefix,
    countRefusals: store.penalties === true,
    onStoreError: passingOn ? 'allow' : 'deny',
    onError: (error) => {
      if (passingOn) passingOn(error)
      else lastFailure = error
    },
  })
  return {
    limiter,
    takeFailure() {
      const failure = lastFailure ?? new StoreUnavailableError('The rate limit store was not asked: it is failing')
      lastFailure = undefined
      return failure
    },
  }
}

/** The most hits `getKey` can report: peeking under this limit, what is left tells what was used. */
const COUNTABLE_HITS = 1_000_000_000

/** The middleware's `resetKey(key)` and `getKey(key)`, as both peers offer them. */
export interface KeyHelpers {
  /** Forgets a client's hits. */
  resetKey(key: string): unknown
  /** A client's hits in its window and when it ends; undefined when it has none. */
  getKey(key: string): Awaitable<HitCount | undefined>
}

/**
 * `resetKey` and `getKey` over the store: a hit counter's own methods (`getKey` throws without a
 * `get`), or our limiter's `reset` and a `peek` that counts the hits charged in the client's window.
 */
export function keyHelpersOf(counter: HitCounter | LegacyHitCounter | undefined, limiter: RateLimiter): KeyHelpers {
  if (counter) {
    const get = 'get' in counter ? counter.get : undefined
    return {
      resetKey: (key) => counter.resetKey(key),
      getKey: (key) => {
        if (!get) throw new TypeError('The store has no `get` method, which `getKey` needs')
        return get.call(counter, key)
      },
    }
  }
  return {
    resetKey: (key) => limiter.reset(String(key)),
    getKey: async (key) => {
      const result = await limiter.peek(String(key), { limit: COUNTABLE_HITS })
      const totalHits = COUNTABLE_HITS - result.remaining
      return totalHits > 0 ? { totalHits, resetTime: new Date(result.decidedAtMs + result.resetAfterMs) } : undefined
    },
  }
}
