import type { BlockCache } from './block-cache.js'
import type { CircuitState } from './breaker.js'
import { RateLimitOptionsError } from './errors.js'
import {
  type ConsumeOptions,
  type RateLimiterOptions,
  type ResolvedLimiterOptions,
  readCost,
  readKey,
  resolveLimiterOptions,
} from './limiter-options.js'
import type { Policy } from './policy.js'
import { attachCharge, combineOutcomes, type RateLimitResult, takeCharge } from './result.js'
import type { StoreRequest } from './store.js'
import { type GuardedDecision, StoreGuard } from './store-guard.js'
import { describe } from './validate.js'

/** The latest time a clock may give (year 2248): later, GCRA's microseconds would lose precision. */
const LATEST_CLOCK_MS = 2 ** 43

/**
 * Decides whether a client may act: atomically, under one or more policies, in one store call.
 * When the store fails it still answers, within `timeoutMs`, by `onStoreError`.
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
  readonly #guard: StoreGuard
  readonly #blockCache: BlockCache | undefined

  constructor(options?: RateLimiterOptions) {
    this.#options = resolveLimiterOptions(options)
    this.policies = this.#options.policies
    this.prefix = this.#options.prefix
    this.#blockCache = this.#options.blockCache
    this.#guard = new StoreGuard({ ...this.#options, report: (error, key) => this.#report(error, key) })
  }

  /** The circuit breakers' state: `'open'` while any part of the store is cut off (`'closed'` without breaker). */
  get circuitState(): CircuitState {
    return this.#guard.circuitState
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
    const charge = takeCharge(result)
    if (!charge) return
    const { key, cost, chargedAtMs, store, policies } = charge
    this.#blockCache?.forget(key)
    await this.#guard.refund(store, { prefix: this.prefix, key, policies, cost, chargedAtMs, nowMs: this.#now() })
  }

  /** Forgets the key under every policy. Rejects (after `onError`) if the store fails. */
  async reset(key: string): Promise<void> {
    const checkedKey = readKey(key)
    this.#blockCache?.forget(checkedKey)
    await this.#guard.reset({ prefix: this.prefix, key: checkedKey, policies: this.policies })
  }

  #decide(key: string, options: ConsumeOptions | undefined, mode: StoreRequest['mode']): Promise<RateLimitResult> {
    let request: StoreRequest
    try {
      request = {
        prefix: this.prefix,
        key: readKey(key),
        policies: this.policies,
        cost: readCost(options),
        mode,
        nowMs: this.#now(),
      }
    } catch (error) {
      return Promise.reject(error)
    }
    // The local time only matters to the block cache: without one, the clock is not read here.
    const localNowMs = this.#blockCache ? (request.nowMs ?? Date.now()) : 0
    const blocked = this.#blockCache?.denial(request.key, request.cost, localNowMs)
    if (blocked) return Promise.resolve(blocked)
    const decision = this.#guard.decide(request)
    if (!(decision instanceof Promise)) return Promise.resolve(this.#conclude(request, decision, localNowMs))
    return decision.then((answer) => this.#conclude(request, answer, localNowMs))
  }

  #conclude(request: StoreRequest, decision: GuardedDecision, sentAtMs: number): RateLimitResult {
    const { key, cost, mode } = request
    const { store, policies, outcomes, degraded, nowMs } = decision
    const result = combineOutcomes(policies, outcomes, degraded, nowMs)
    if (mode === 'consume' && cost > 0 && store !== undefined) attachCharge(result, store, key, cost, nowMs, policies)
    this.#blockCache?.record(key, cost, sentAtMs, result)
    return result
  }

  #now(): number | undefined {
    if (!this.#options.clock) return undefined
    const nowMs = this.#options.clock()
    if (typeof nowMs === 'number' && nowMs >= 0 && nowMs <= LATEST_CLOCK_MS) return Math.floor(nowMs)
    throw new RateLimitOptionsError(
      `Expected \`clock\` to return milliseconds since the epoch, from 0 to ${LATEST_CLOCK_MS}, got ${describe(nowMs)}`,
    )
  }

  #report(error: unknown, key: string): void {
    try {
      this.#options.onError(error, key)
    } catch (callbackError) {
      console.error('atomic-ratelimit: the onError callback threw', callbackError)
    }
  }
}
