// The hit-counter `Store` that express-rate-limit 8 and hono-rate-limiter 0.5 share, under our
// limiter: a third-party store (rate-limit-redis, a Memcached or Postgres store, our own
// HitCounterStore) keeps counting as the peer made it count, then the limit is compared; our own
// stores, given directly, decide natively and atomically instead.
import type { RateLimitResult, Store, StoreDecision, StoreRefund, StoreRequest, StoreTarget } from '../../src/index.js'

/** What a hit counter answers: the client's hits in its window, this one included, and when it ends. */
export interface HitCount {
  readonly totalHits: number
  readonly resetTime?: Date | undefined
}

/** A value, or a promise of it. */
type Awaitable<T> = T | Promise<T>

/**
 * The peers' `Store`: a hit counter. `increment` counts every hit, refused ones too; the middleware
 * compares the count with its limit.
 */
export interface HitCounter<InitOptions = never> {
  // Methods, not function-typed fields: a store typed against the peer's own option types fits too.
  init?(options: InitOptions): unknown
  get?(key: string): Awaitable<HitCount | undefined>
  increment(key: string): Awaitable<HitCount>
  decrement(key: string): unknown
  resetKey(key: string): unknown
  resetAll?(): unknown
  shutdown?(): unknown
  localKeys?: boolean
  prefix?: string
}

/** express-rate-limit's legacy store (5.x and older): `incr` answers through a callback. */
export interface LegacyHitCounter {
  incr(key: string, callback: (error: Error | undefined, totalHits: number, resetTime: Date | undefined) => void): void
  decrement(key: string): unknown
  resetKey(key: string): unknown
  resetAll?(): unknown
}

/** How a {@link PeerStore} reports what the peer's middleware would have checked or logged. */
export interface PeerStoreOptions {
  /**
   * Give a refused hit back at once: the peer counts it, then `skipFailedRequests` gives it back once
   * its 429 is sent. Here a refusal is never settled, so the store does it when it refuses.
   */
  readonly giveBackRefusals: boolean
  /** Sees every count the store answers (the peer's checks of `totalHits` and `resetTime`). */
  readonly onCount?: (count: HitCount) => void
  /** Told of a failed give-back, which does not change the decision. */
  readonly onDecrementError?: (error: unknown) => void
}

/** Whether `store` is one of ours (or any `Store` of this package's interface), decided natively. */
export function isNativeStore(store: unknown): store is Store {
  return typeof (store as Partial<Store> | null)?.decide === 'function'
}

/** Whether `store` has the methods a hit counter needs (a legacy one's `incr` standing for `increment`). */
export function isHitCounter(store: unknown): store is HitCounter | LegacyHitCounter {
  const candidate = store as Partial<HitCounter & LegacyHitCounter> | null
  return (
    (typeof candidate?.increment === 'function' || typeof candidate?.incr === 'function') &&
    typeof candidate.decrement === 'function' &&
    typeof candidate.resetKey === 'function'
  )
}

/**
 * A peer's hit counter as our `Store`: each decision counts one hit (`increment`), then allows it
 * when the count is within the limit of the request's policy, as the peer's middleware does. So the
 * guarantees are the counter's own (a counter that reads then writes can overshoot under
 * concurrency), refused hits are counted, and `refusals` is the count over the limit, which is what
 * the peer's `used` reports. A refund is a `decrement`, a reset a `resetKey`.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ store: new PeerStore(rateLimitRedisStore, { giveBackRefusals: false }) })
 * ```
 */
export class PeerStore implements Store {
  /** It reports refusals (the hits over the limit), so a limiter that counts them may use it. */
  readonly penalties = true
  readonly #counter: HitCounter
  readonly #options: PeerStoreOptions

  constructor(counter: HitCounter | LegacyHitCounter, options: PeerStoreOptions) {
    this.#counter = isLegacy(counter) ? promisified(counter) : counter
    this.#options = options
  }

  async decide(request: StoreRequest): Promise<StoreDecision> {
    const { key, cost, mode } = request
    const { limit, windowMs } = request.policies[0] as StoreRequest['policies'][number]
    const count = mode === 'consume' ? await this.#counter.increment(key) : await this.#peek(key)
    this.#options.onCount?.(count)
    const nowMs = request.nowMs ?? Date.now()
    // Peeking counts nothing: the request would be the next hit.
    const hits = count.totalHits + (mode === 'consume' ? cost - 1 : cost)
    const allowed = hits <= limit
    const resetAfterMs = count.resetTime ? Math.max(0, count.resetTime.getTime() - nowMs) : windowMs
    if (!allowed && mode === 'consume' && this.#options.giveBackRefusals) await this.#giveBack(key)
    const outcome = {
      allowed,
      remaining: Math.max(0, limit - count.totalHits),
      resetAfterMs,
      retryAfterMs: allowed ? 0 : resetAfterMs,
      nextQuotaMs: resetAfterMs,
    }
    const refusals = allowed ? 0 : Math.max(1, count.totalHits - limit)
    return { nowMs, outcomes: [outcome], penalty: request.penalty && { untilMs: 0, banned: false, refusals } }
  }

  async refund(refund: StoreRefund): Promise<void> {
    await this.#counter.decrement(refund.key)
  }

  async reset(target: StoreTarget): Promise<void> {
    await this.#counter.resetKey(target.key)
  }

  async #peek(key: string): Promise<HitCount> {
    if (!this.#counter.get) throw new TypeError('The store has no `get` method to read a count with')
    return (await this.#counter.get(key)) ?? { totalHits: 0 }
  }

  async #giveBack(key: string): Promise<void> {
    try {
      await this.#counter.decrement(key)
    } catch (error) {
      this.#options.onDecrementError?.(error)
    }
  }
}

/** Whether a store only has express-rate-limit's legacy `incr`: one that has both is a current one. */
function isLegacy(counter: HitCounter | LegacyHitCounter): counter is LegacyHitCounter {
  return typeof (counter as Partial<HitCounter>).increment !== 'function'
}

/** A legacy store's callback `incr` as a promise-returning `increment`. */
function promisified(legacy: LegacyHitCounter): HitCounter {
  return {
    increment: (key) =>
      new Promise((resolve, reject) =>
        legacy.incr(key, (error, totalHits, resetTime) => (error ? reject(error) : resolve({ totalHits, resetTime }))),
      ),
    decrement: (key) => legacy.decrement(key),
    resetKey: (key) => legacy.resetKey(key),
  }
}

/** The rate limit figures both peers expose to routes: `limit`, `used`, `remaining` and `resetTime`. */
export interface PeerRateLimitInfo {
  readonly limit: number
  /** Hits in the window, this one included; over `limit` on a refusal, by the refused hits in a row. */
  readonly used: number
  readonly remaining: number
  readonly resetTime: Date | undefined
}

/**
 * A decision as the peers expose it. `used` counts the client's allowed hits in the window plus, on
 * a refusal, its refusals in a row (this one included), which the limiter counts without charging
 * them: so `used === limit + 1` on the first refusal of a window, as with the peers.
 */
export function peerInfoOf(result: RateLimitResult, limit: number = result.limit): PeerRateLimitInfo {
  const charged = limit === 0 ? 0 : result.limit - result.remaining
  const used = result.allowed ? charged : limit + Math.max(1, result.refusals)
  const remaining = limit === 0 ? 0 : result.remaining
  return { limit, used, remaining, resetTime: new Date(result.decidedAtMs + result.resetAfterMs) }
}
