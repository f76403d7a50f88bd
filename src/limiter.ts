import { withDeadline } from './deadline.js'
import { RateLimitOptionsError } from './errors.js'
import {
  type ConsumeOptions,
  type RateLimiterOptions,
  type ResolvedLimiterOptions,
  readCost,
  readKey,
  resolveLimiterOptions,
} from './limiter-options.js'
import { MemoryStore } from './memory-store.js'
import type { Policy, PolicyOutcome } from './policy.js'
import { combineOutcomes, type RateLimitResult } from './result.js'
import type { Store, StoreDecision, StoreRequest } from './store.js'
import { describe } from './validate.js'

/** How long a client refused by `onStoreError: 'deny'` is told to wait (or the window, if shorter). */
const DENIED_RETRY_AFTER_MS = 1_000

/**
 * Decides whether a client may act: atomically, under one or more policies, in one store call.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ policy: fixedWindow({ limit: 10, windowMs: 60_000 }) })
 * const result = await limiter.consume(`login:${ip}`)
 * if (!result.allowed) console.log(`retry in ${result.retryAfterMs} ms`)
 * ```
 */
export class RateLimiter {
  /** The policies, in the order given. */
  readonly policies: readonly Policy[]
  /** The key namespace. */
  readonly prefix: string
  readonly #options: ResolvedLimiterOptions
  #fallbackStore: MemoryStore | undefined
  /** What each allowed `consume` charged, and where, so that `refund(result)` can give it back. */
  readonly #charges = new WeakMap<RateLimitResult, Charge>()

  constructor(options?: RateLimiterOptions) {
    this.#options = resolveLimiterOptions(options)
    this.policies = this.#options.policies
    this.prefix = this.#options.prefix
  }

  /** Charges `cost` (default 1) under every policy if all allow it; charges nothing otherwise. */
  consume(key: string, options?: ConsumeOptions): Promise<RateLimitResult> {
    return this.#decide(key, options, 'consume')
  }

  /** Reports what `consume` would decide for `cost` (default 1), charging nothing. */
  peek(key: string, options?: ConsumeOptions): Promise<RateLimitResult> {
    return this.#decide(key, options, 'peek')
  }

  /**
   * Gives back what the `consume` that returned `result` charged, under every policy, keeping each
   * key's TTL: never below zero and never into a later window. Does nothing for a denied result, one
   * already refunded, or one another limiter returned. A store failure goes to `onError`; the
   * promise still resolves.
   */
  async refund(result: RateLimitResult): Promise<void> {
    if (result === null || typeof result !== 'object' || typeof result.allowed !== 'boolean')
      throw new RateLimitOptionsError(`Expected \`result\` to be a result of consume(), got ${describe(result)}`)
    const charge = this.#charges.get(result)
    if (!charge) return
    this.#charges.delete(result)
    const { key, cost, chargedAtMs, store } = charge
    const refund = { prefix: this.prefix, key, policies: this.policies, cost, chargedAtMs, nowMs: this.#now() }
    try {
      await withDeadline(store.refund(refund), this.#options.timeoutMs)
    } catch (error) {
      this.#report(error, key)
    }
  }

  /** Forgets the key under every policy. Rejects (after `onError`) if the store fails. */
  async reset(key: string): Promise<void> {
    const target = { prefix: this.prefix, key: readKey(key), policies: this.policies }
    try {
      await withDeadline(this.#options.store.reset(target), this.#options.timeoutMs)
    } catch (error) {
      this.#report(error, key)
      throw error
    }
  }

  async #decide(
    key: string,
    options: ConsumeOptions | undefined,
    mode: StoreRequest['mode'],
  ): Promise<RateLimitResult> {
    const request: StoreRequest = {
      prefix: this.prefix,
      key: readKey(key),
      policies: this.policies,
      cost: readCost(options),
      mode,
      nowMs: this.#now(),
    }
    try {
      const decision = await withDeadline(this.#options.store.decide(request), this.#options.timeoutMs)
      return this.#conclude(request, decision, this.#options.store)
    } catch (error) {
      this.#report(error, key)
      return this.#decideWithoutStore(request)
    }
  }

  #conclude(request: StoreRequest, { nowMs, outcomes }: StoreDecision, store: Store): RateLimitResult {
    const result = combineOutcomes(this.policies, outcomes, store !== this.#options.store)
    if (request.mode === 'consume' && result.allowed && request.cost > 0)
      this.#charges.set(result, { key: request.key, cost: request.cost, chargedAtMs: nowMs, store })
    return result
  }

  async #decideWithoutStore(request: StoreRequest): Promise<RateLimitResult> {
    if (this.#options.onStoreError === 'fallback') {
      this.#fallbackStore ??= new MemoryStore()
      return this.#conclude(request, await this.#fallbackStore.decide(request), this.#fallbackStore)
    }
    const allowed = this.#options.onStoreError === 'allow'
    const outcomes = this.policies.map(({ limit, windowMs }): PolicyOutcome => {
      const waitMs = allowed ? 0 : Math.min(windowMs, DENIED_RETRY_AFTER_MS)
      return { allowed, remaining: allowed ? limit : 0, resetAfterMs: waitMs, retryAfterMs: waitMs }
    })
    return combineOutcomes(this.policies, outcomes, true)
  }

  #now(): number | undefined {
    if (!this.#options.clock) return undefined
    const nowMs = this.#options.clock()
    if (typeof nowMs !== 'number' || !Number.isFinite(nowMs) || nowMs < 0)
      throw new RateLimitOptionsError(
        `Expected \`clock\` to return milliseconds since the epoch, got ${describe(nowMs)}`,
      )
    return Math.floor(nowMs)
  }

  #report(error: unknown, key: string): void {
    try {
      this.#options.onError(error, key)
    } catch (callbackError) {
      console.error('atomic-ratelimit: the onError callback threw', callbackError)
    }
  }
}

interface Charge {
  readonly key: string
  readonly cost: number
  readonly chargedAtMs: number
  readonly store: Store
}
