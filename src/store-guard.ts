import { CircuitBreaker, type CircuitState, type ResolvedCircuitBreakerOptions } from './breaker.js'
import { Deadlines } from './deadline.js'
import { storeCallsTraced } from './diagnostics/channels.js'
import type { StoreOperation } from './diagnostics/messages.js'
import type { LimiterObserver } from './diagnostics/observer.js'
import { healthSignOf, StoreUnavailableError } from './errors.js'
import { MemoryStore } from './memory-store.js'
import type { PenaltyOutcome } from './penalty.js'
import { type Policy, type PolicyOutcome, shareOfPolicy } from './policy.js'
import type { Store, StoreDecision, StoreRefund, StoreRequest, StoreTarget } from './store.js'

/** What a decision does when the store fails or misses `timeoutMs`. */
export type StoreFailurePolicy = 'allow' | 'deny' | 'fallback'

/** A decision, by the store or, when it failed, by the failure policy. */
export interface GuardedDecision {
  readonly outcomes: readonly PolicyOutcome[]
  /** The policies that decided: the limiter's, or their per-process shares on the fallback store. */
  readonly policies: readonly Policy[]
  readonly degraded: boolean
  /** The store that decided and may have charged (undefined when the failure policy decided alone). */
  readonly store: Store | undefined
  /** When it decided, in ms since the epoch. */
  readonly nowMs: number
  /** What the penalties did, when the limiter has some and the store decided. */
  readonly penalty: PenaltyOutcome | undefined
}

/** The settings a StoreGuard works with (see RateLimiterOptions). */
export interface StoreGuardSettings {
  readonly store: Store
  /** The limiter's key namespace, which its breakers tell observers. */
  readonly prefix: string
  readonly timeoutMs: number
  readonly circuitBreaker: ResolvedCircuitBreakerOptions | undefined
  readonly onStoreError: StoreFailurePolicy
  /** Processes sharing the store: on the fallback store, each allows its share of every limit. */
  readonly instances: number
  readonly report: (error: unknown, key: string) => void
  /** Publishes the store calls, their failures and the breakers' changes. */
  readonly observer: LimiterObserver
}

/** How long a client refused by `onStoreError: 'deny'` is told to wait (or the window, if shorter). */
const DENIED_RETRY_AFTER_MS = 1_000

/**
 * The store behind a deadline and a circuit breaker. Every failure takes one path: it is reported,
 * counted by the breaker, and the failure policy decides. Nothing a store does, however late or
 * broken, rejects a decision.
 */
export class StoreGuard {
  readonly #settings: StoreGuardSettings
  readonly #deadlines: Deadlines
  /** One breaker per failure domain of the store, made on first use. */
  readonly #breakers = new Map<string, CircuitBreaker>()
  #fallbackStore: MemoryStore | undefined
  /** Each policy list's shares for the fallback store, worked out once per list. */
  readonly #shares = new WeakMap<readonly Policy[], readonly Policy[]>()

  constructor(settings: StoreGuardSettings) {
    this.#settings = settings
    this.#deadlines = new Deadlines(settings.timeoutMs)
  }

  /** The worst state among the breakers: `'open'` if any part of the store is cut off. */
  get circuitState(): CircuitState {
    const states = new Set([...this.#breakers.values()].map((breaker) => breaker.state))
    return states.has('open') ? 'open' : states.has('half-open') ? 'half-open' : 'closed'
  }

  /**
   * The decision of a MemoryStore, which lives in this process and cannot fail or be slow: made
   * synchronously, with no deadline or breaker. Undefined for any other store (see {@link decide}).
   */
  decideInProcess(request: StoreRequest): GuardedDecision | undefined {
    const { store } = this.#settings
    if (store instanceof MemoryStore) return decided(store.decideNow(request), request.policies, false, store)
    return undefined
  }

  /**
   * Decides on a store outside this process, or by the failure policy when it fails, and hands the
   * decision to `then`. `then` runs in the step that settles the store's answer: a promise fewer per
   * decision than chaining it after this one.
   */
  decide<T>(request: StoreRequest, then: (decision: GuardedDecision) => T): Promise<T> {
    const { store } = this.#settings
    const breaker = this.#breakerFor(request)
    if (breaker && !breaker.allowsCall()) return Promise.resolve(then(this.#decideWithoutStore(request)))
    const traced = storeCallsTraced()
    let answer: Promise<StoreDecision>
    try {
      if (traced) answer = this.#tracedDecision(request)
      else answer = store.decideWithin ? store.decideWithin(request, this.#settings.timeoutMs) : store.decide(request)
    } catch (error) {
      return Promise.resolve(then(this.#failed(error, request, breaker)))
    }
    const onValue = (decision: StoreDecision): T => {
      breaker?.succeeded()
      return then(decided(decision, request.policies, false, store))
    }
    const onError = (error: unknown): T => then(this.#failed(error, request, breaker))
    // A store that keeps the deadline itself needs no second one here, nor does a traced call.
    if (store.decideWithin || traced) return answer.then(onValue, onError)
    return this.#deadlines.settle(answer, onValue, onError)
  }

  /** The store's decision within the deadline, traced: a missed deadline is the call's error. */
  #tracedDecision(request: StoreRequest): Promise<StoreDecision> {
    const { store, observer, timeoutMs } = this.#settings
    return observer.traced(store, request, request.mode, request.cost, () =>
      store.decideWithin ? store.decideWithin(request, timeoutMs) : this.#deadlines.race(store.decide(request)),
    )
  }

  /** Gives back a charge on the store that made it; a failure is reported, never thrown. */
  async refund(store: Store, refund: StoreRefund): Promise<void> {
    try {
      if (store === this.#settings.store && this.#breakerFor(refund)?.state === 'open')
        throw new StoreUnavailableError('the circuit breaker is open: the refund was dropped')
      await this.#call(store, refund, 'refund', refund.cost, () => store.refund(refund))
    } catch (error) {
      this.#report(error, refund, 'refund')
    }
  }

  /** Forgets the key on the store (and the fallback store); a failure is reported, then thrown. */
  async reset(target: StoreTarget): Promise<void> {
    await this.#fallbackStore?.reset({ ...target, policies: this.#sharesOf(target.policies) })
    const { store } = this.#settings
    try {
      await this.#call(store, target, 'reset', 0, () => store.reset(target))
    } catch (error) {
      this.#report(error, target, 'reset')
      throw error
    }
  }

  /** A refund or reset within the deadline, traced unless the store is in-process. */
  #call(store: Store, target: StoreTarget, operation: StoreOperation, cost: number, call: () => Promise<void>) {
    const within = () => this.#deadlines.race(call())
    return store instanceof MemoryStore
      ? within()
      : this.#settings.observer.traced(store, target, operation, cost, within)
  }

  /** Tells `onError` and the observers of a store failure. */
  #report(error: unknown, target: StoreTarget, operation: StoreOperation): void {
    this.#settings.report(error, target.key)
    this.#settings.observer.storeFailed(error, target, operation)
  }

  /** The policies with every limit divided among the instances, for the fallback store. */
  #sharesOf(policies: readonly Policy[]): readonly Policy[] {
    let shares = this.#shares.get(policies)
    if (!shares) {
      shares = policies.map((policy) => shareOfPolicy(policy, this.#settings.instances))
      this.#shares.set(policies, shares)
    }
    return shares
  }

  #breakerFor(target: StoreTarget): CircuitBreaker | undefined {
    const { circuitBreaker, store } = this.#settings
    if (!circuitBreaker) return undefined
    const domain = store.failureDomain?.(target) ?? ''
    let breaker = this.#breakers.get(domain)
    if (!breaker) {
      breaker = new CircuitBreaker(circuitBreaker, domain, this.#settings.prefix)
      this.#breakers.set(domain, breaker)
    }
    return breaker
  }

  #failed(error: unknown, request: StoreRequest, breaker: CircuitBreaker | undefined): GuardedDecision {
    this.#report(error, request, request.mode)
    const sign = healthSignOf(error)
    if (sign === 'failed') breaker?.failed(error)
    else if (sign === 'answered') breaker?.succeeded()
    else breaker?.inconclusive(error)
    return this.#decideWithoutStore(request)
  }

  #decideWithoutStore(request: StoreRequest): GuardedDecision {
    const { onStoreError } = this.#settings
    if (onStoreError === 'fallback') {
      this.#fallbackStore ??= new MemoryStore()
      const shares = this.#sharesOf(request.policies)
      const decision = this.#fallbackStore.decideNow({ ...request, policies: shares })
      return decided(decision, shares, true, this.#fallbackStore)
    }
    const allowed = onStoreError === 'allow'
    const outcomes = request.policies.map(({ limit, windowMs }): PolicyOutcome => {
      const waitMs = allowed ? 0 : Math.min(windowMs, DENIED_RETRY_AFTER_MS)
      return {
        allowed,
        remaining: allowed ? limit : 0,
        resetAfterMs: waitMs,
        retryAfterMs: waitMs,
        nextQuotaMs: waitMs,
      }
    })
    const nowMs = request.nowMs ?? Date.now()
    return { outcomes, policies: request.policies, degraded: true, store: undefined, nowMs, penalty: undefined }
  }
}

function decided(
  { outcomes, nowMs, penalty }: StoreDecision,
  policies: readonly Policy[],
  degraded: boolean,
  store: Store,
): GuardedDecision {
  return { outcomes, policies, degraded, store, nowMs, penalty }
}
