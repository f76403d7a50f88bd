import type { BlockCache } from './block-cache.js'
import { BoundedMap } from './bounded-map.js'
import type { CircuitState } from './breaker.js'
import { LimiterObserver } from './diagnostics/observer.js'
import { RateLimitOptionsError } from './errors.js'
import {
  type CallOptions,
  type ConsumeOptions,
  type RateLimiterOptions,
  type ResolvedLimiterOptions,
  readCallOptions,
  readKey,
  resolveLimiterOptions,
} from './limiter-options.js'
import { type Policy, withNumbers } from './policy.js'
import { attachCharge, combineOutcomes, type RateLimitResult, takeCharge } from './result.js'
import type { StoreRequest } from './store.js'
import { type GuardedDecision, StoreGuard } from './store-guard.js'
import { describe } from './validate.js'

/** The latest time a clock may give (year 2248): later, GCRA's microseconds would lose precision. */
const LATEST_CLOCK_MS = 2 ** 43

/** Distinct per-request limits a limiter keeps its policies for: plans and tiers are few. */
const MOST_KEPT_LIMITS = 1_000

/** The store's decision, for the observer to conclude once it has timed it. */
const asItIs = (decision: GuardedDecision): GuardedDecision => decision

/** A policy list kept for one per-request limit and window. */
interface KeptPolicies {
  referenced: boolean
  readonly policies: readonly Policy[]
}

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
  readonly #observer: LimiterObserver
  /** The policies of per-request limits, by `<limit>/<windowMs>`: the same list for the same numbers, so stores plan it once. */
  readonly #perRequest = new BoundedMap<KeptPolicies>(MOST_KEPT_LIMITS)

  constructor(options?: RateLimiterOptions) {
    this.#options = resolveLimiterOptions(options)
    this.policies = this.#options.policies
    this.prefix = this.#options.prefix
    this.#blockCache = this.#options.blockCache
    this.#observer = new LimiterObserver(this.prefix)
    this.#guard = new StoreGuard({
      ...this.#options,
      observer: this.#observer,
      report: (error, key) => this.#report(error, key),
    })
  }

  /** The circuit breakers' state: `'open'` while any part of the store is cut off (`'closed'` without breaker). */
  get circuitState(): CircuitState {
    return this.#guard.circuitState
  }

  /** Whether results count refusals in a row (`ban`, `continueExceeding` or `countRefusals`), as `onLimitReached` needs. */
  get countsRefusals(): boolean {
    return this.#options.penalty !== undefined
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
    const { penalty } = this.#options
    await this.#guard.refund(store, {
      prefix: this.prefix,
      key,
      policies,
      penalty,
      cost,
      chargedAtMs,
      nowMs: this.#now(),
    })
  }

  /** Forgets the key under every policy. Rejects (after `onError`) if the store fails. */
  async reset(key: string): Promise<void> {
    const checkedKey = readKey(key)
    this.#blockCache?.forget(checkedKey)
    await this.#guard.reset({
      prefix: this.prefix,
      key: checkedKey,
      policies: this.policies,
      penalty: this.#options.penalty,
    })
  }

  /**
   * The policies a call with these options decides under: the limiter's, or for a per-request
   * `limit` or `windowMs`, its one policy with those numbers (same name, so the same stored state).
   * Throws a RateLimitOptionsError for numbers the policy's factory refuses.
   */
  policiesFor(options?: ConsumeOptions): readonly Policy[] {
    return this.#policiesFor(readCallOptions(options))
  }

  #policiesFor({ limit, windowMs }: CallOptions): readonly Policy[] {
    if (limit === undefined && windowMs === undefined) return this.policies
    if (this.policies.length > 1)
      throw new RateLimitOptionsError(
        `Expected a per-request \`limit\` or \`windowMs\` only for a limiter of one policy, got ${this.policies.length} policies`,
      )
    const id = `${limit}/${windowMs}`
    let kept = this.#perRequest.get(id)
    if (!kept) {
      const base = this.policies[0] as Policy
      const policy = withNumbers(base, limit ?? base.limit, windowMs ?? base.windowMs)
      // Stryker disable next-line BooleanLiteral: a cache's mark: which list is dropped past 1,000 limits only costs a new plan
      kept = { referenced: true, policies: Object.freeze([policy]) }
      this.#perRequest.set(id, kept)
    }
    return kept.policies
  }

  #decide(key: string, options: ConsumeOptions | undefined, mode: StoreRequest['mode']): Promise<RateLimitResult> {
    let request: StoreRequest
    try {
      const call = readCallOptions(options)
      request = {
        prefix: this.prefix,
        key: readKey(key),
        policies: this.#policiesFor(call),
        cost: call.cost,
        mode,
        nowMs: this.#now(),
        penalty: this.#options.penalty,
      }
    } catch (error) {
      return Promise.reject(error)
    }
    // The local time only matters to the block cache: without one, the clock is not read here.
    const localNowMs = this.#blockCache ? (request.nowMs ?? Date.now()) : 0
    const blocked = this.#blockCache?.denial(request.key, request.policies, request.cost, localNowMs)
    if (blocked) {
      this.#observer.servedFromBlockCache(request, blocked)
      return Promise.resolve(blocked)
    }
    const guard = this.#guard
    if (this.#observer.watchesDecisions) {
      const decide = () => guard.decideInProcess(request) ?? guard.decide(request, asItIs)
      return this.#observer.timed(request, decide, (answer) => this.#conclude(request, answer, localNowMs))
    }
    const inProcess = guard.decideInProcess(request)
    if (inProcess) return Promise.resolve(this.#conclude(request, inProcess, localNowMs))
    return guard.decide(request, (answer) => this.#conclude(request, answer, localNowMs))
  }

  #conclude(request: StoreRequest, decision: GuardedDecision, sentAtMs: number): RateLimitResult {
    const { key, cost, mode } = request
    const { store, policies, outcomes, degraded, nowMs, penalty } = decision
    const result = combineOutcomes(policies, outcomes, degraded, nowMs, penalty)
    if (mode === 'consume' && cost > 0 && store !== undefined) attachCharge(result, store, key, cost, policies)
    // A peek's ban may be one only a consume would start: it is in no store, so it blocks nothing.
    if (mode === 'consume' || !result.banned) this.#blockCache?.record(key, request.policies, cost, sentAtMs, result)
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
