import { fixedWindow } from './algorithms/fixed-window.js'
import { StoreUnavailableError } from './errors.js'
import { RateLimiter } from './limiter.js'
import { MemoryStore } from './memory-store.js'
import { MAX_UNITS } from './policy.js'
import { attachCharge, type RateLimitResult } from './result.js'
import type { Store } from './store.js'
import { assertKnownOptions, assertOptionsObject, withDefault } from './validate.js'

/** Options of {@link HitCounterStore}; every one is optional. */
export interface HitCounterStoreOptions {
  /** Where hits are counted: a RedisStore to share them between processes. @default a new MemoryStore() */
  readonly store?: Store
  /** Key namespace in the store, also what the middleware reads as the store's `prefix`. @default 'erl' */
  readonly prefix?: string
  /** Window length in ms, until the middleware's `init` gives its own `windowMs`. @default 60_000 */
  readonly windowMs?: number
  /** Deadline for the store's answer, in ms; past it the call rejects and the middleware decides. @default 250 */
  readonly timeoutMs?: number
}

/** A client's hits in its current window, as express-rate-limit's `ClientRateLimitInfo`. */
export interface ClientHits {
  /** Hits counted in the window, this one included: allowed and refused alike. */
  readonly totalHits: number
  /** When the window ends and the count starts again from zero, by the store's clock. */
  readonly resetTime: Date
}

/** What the middleware passes to {@link HitCounterStore.init}: its resolved options. */
export interface HitCounterInit {
  /** The middleware's window, in ms. */
  readonly windowMs: number
}

/** The namespace `prefix` defaults to, apart from the native limiters' `'rl'`. */
const DEFAULT_PREFIX = 'erl'

/** express-rate-limit's own default window. */
const DEFAULT_WINDOW_MS = 60_000

/**
 * Our stores behind the hit-counter `Store` interface that express-rate-limit (8.x) and
 * hono-rate-limiter (0.5) share: `init(options)`, `increment(key)` resolving to
 * `{ totalHits, resetTime }`, `decrement(key)`, `resetKey(key)`, `get(key)`, `localKeys` and
 * `prefix` (no `resetAll`: a Redis store cannot list its keys in O(1)). Keep the middleware you
 * have and gain our scripts: each hit is counted in one atomic script call (a fixed window opened
 * by the client's first hit, as INCR and EXPIRE do) on the server's clock, with Cluster-safe keys,
 * expiry repaired if lost, coalescing, a deadline and a circuit breaker. The middleware compares
 * `totalHits` with its own limit, so every hit counts, refused ones too.
 *
 * A store that fails or misses `timeoutMs` makes `increment` reject with the store's error, so
 * the middleware decides (express-rate-limit's `passOnStoreError`).
 *
 * @example
 * ```ts
 * import { rateLimit } from 'express-rate-limit'
 * app.use(rateLimit({ limit: 100, store: new HitCounterStore({ store: new RedisStore({ client }) }) }))
 * ```
 */
export class HitCounterStore {
  /** Namespace of the keys in the store: two middlewares count apart under distinct prefixes. */
  readonly prefix: string
  /** True for a MemoryStore, whose counts this process alone sees; false for a shared store. */
  readonly localKeys: boolean
  readonly #store: Store
  readonly #timeoutMs: number | undefined
  #limiter: RateLimiter
  /** The last failure reported for each key, taken by the call it failed. */
  readonly #failures = new Map<string, unknown>()

  constructor(options?: HitCounterStoreOptions) {
    const given = assertOptionsObject(options, 'HitCounterStore')
    assertKnownOptions(given, ['store', 'prefix', 'windowMs', 'timeoutMs'], 'HitCounterStore')
    this.#store = given.store === undefined ? new MemoryStore() : given.store
    this.#timeoutMs = given.timeoutMs
    this.#limiter = this.#limiterFor(withDefault(given.windowMs, DEFAULT_WINDOW_MS), given.prefix)
    this.prefix = this.#limiter.prefix
    this.localKeys = this.#store instanceof MemoryStore
  }

  /** Takes the middleware's `windowMs`; called once by the middleware when it is made. */
  init(options: HitCounterInit): void {
    this.#limiter = this.#limiterFor(options?.windowMs, this.prefix)
  }

  /** Counts a hit: the client's hits in its window, this one included, and when the window ends. */
  async increment(key: string): Promise<ClientHits> {
    return this.#hitsOf(key, await this.#limiter.consume(key))
  }

  /** The client's hits in its current window, counting none; undefined when it has none. */
  async get(key: string): Promise<ClientHits | undefined> {
    const result = await this.#limiter.peek(key)
    const hits = this.#hitsOf(key, result)
    return hits.totalHits > 0 ? hits : undefined
  }

  /**
   * Gives back one hit of the client's current window, keeping its end: never below zero, and never
   * into a window opened after the call (the refund names the time it read the count at). A hit
   * counted in a window that has since ended is gone with it.
   */
  async decrement(key: string): Promise<void> {
    const limiter = this.#limiter
    const current = await limiter.peek(key)
    if (this.#hitsOf(key, current).totalHits === 0) return
    // One hit "charged" at the time the count was read: the script gives it back only in that window.
    attachCharge(current, this.#store, key, 1, limiter.policies)
    await limiter.refund(current)
    const failure = this.#takeFailure(key)
    if (failure !== undefined) throw failure
  }

  /** Forgets the client's hits. */
  async resetKey(key: string): Promise<void> {
    try {
      await this.#limiter.reset(key)
    } catch (error) {
      this.#takeFailure(key)
      throw error
    }
  }

  #limiterFor(windowMs: number, prefix: string | undefined): RateLimiter {
    return new RateLimiter({
      store: this.#store,
      prefix: withDefault(prefix, DEFAULT_PREFIX),
      // The middleware holds the limit: the store only counts, up to the most a count can hold.
      policy: fixedWindow({ limit: MAX_UNITS, windowMs, anchor: 'first-request', name: 'hits' }),
      ...(this.#timeoutMs !== undefined && { timeoutMs: this.#timeoutMs }),
      // A degraded result is never answered (see #hitsOf): the failure reaches the middleware.
      onStoreError: 'deny',
      onError: (error, key) => this.#failures.set(key, error),
      // Nothing is ever refused here, so a cache of refusals would only cost.
      // Stryker disable next-line BooleanLiteral: the cost the line above names is all a cache would change
      blockCache: false,
    })
  }

  /** The result as hits, or the store's failure thrown when the store did not decide. */
  #hitsOf(key: string, result: RateLimitResult): ClientHits {
    if (result.degraded)
      throw this.#takeFailure(key) ?? new StoreUnavailableError('the circuit breaker is open: the store was not asked')
    return { totalHits: result.limit - result.remaining, resetTime: new Date(result.decidedAtMs + result.resetAfterMs) }
  }

  #takeFailure(key: string): unknown {
    const failure = this.#failures.get(key)
    this.#failures.delete(key)
    return failure
  }
}
