import type { StoreTimeoutError } from './errors.js'
import type { PenaltyOutcome, PenaltySettings } from './penalty.js'
import type { Policy, PolicyOutcome } from './policy.js'

/** Which client key, under which namespace and policies, a store operation is about. */
export interface StoreTarget {
  /** Namespace of the limiter (its `prefix`). */
  readonly prefix: string
  /** The client key, exactly as the caller gave it; the store bounds its length itself. */
  readonly key: string
  /** The limiter's policies, in order. */
  readonly policies: readonly Policy[]
  /**
   * The limiter's penalties (bans, continueExceeding), applied in the same atomic decision; undefined
   * when it has none. Only a store that says {@link Store.penalties} is given a limiter that has some.
   */
  readonly penalty?: PenaltySettings | undefined
}

/** One decision to make: charge `cost` under every policy, or none when any denies. */
export interface StoreRequest extends StoreTarget {
  /** Units this request costs (0 charges nothing). */
  readonly cost: number
  /** `'consume'` charges when allowed; `'peek'` only reports. */
  readonly mode: 'consume' | 'peek'
  /** The time to decide at, in ms since the epoch; undefined means the store's own clock. */
  readonly nowMs: number | undefined
}

/** Units to give back to the target's key, charged by an earlier decision. */
export interface StoreRefund extends StoreTarget {
  /** Units to give back; a refund never takes a counter below zero. */
  readonly cost: number
  /** When the charge was decided (the decision's `nowMs`): a later window is never touched. */
  readonly chargedAtMs: number
  /** The time now, in ms since the epoch; undefined means the store's own clock. */
  readonly nowMs: number | undefined
}

/** A store's answer: one outcome per policy, in the request's order. */
export interface StoreDecision {
  /** The time the store decided at, in ms since the epoch. */
  readonly nowMs: number
  readonly outcomes: readonly PolicyOutcome[]
  /** What the penalties did, when the request carried some. */
  readonly penalty?: PenaltyOutcome | undefined
  /**
   * How many decisions shared the store call that made this one (1: sent alone), for the
   * diagnostics channels. A RedisStore tells it while store calls are traced; it may be left out.
   */
  readonly batchSize?: number | undefined
}

/**
 * Where rate limit state lives. {@link MemoryStore} and {@link RedisStore} implement it; so can a
 * third party. A decision must be atomic and all-or-nothing across the request's policies.
 */
export interface Store {
  /** True when the store applies a request's `penalty` (bans, continueExceeding) in its decisions. */
  readonly penalties?: boolean
  /** Decides one request against every policy at once. */
  decide(request: StoreRequest): Promise<StoreDecision>
  /**
   * {@link decide}, which the store itself settles within `timeoutMs` of the call: by then it
   * rejects with a {@link StoreTimeoutError} if no answer came. A limiter uses it when there, in
   * place of a deadline of its own per decision: a store that sends decisions together can watch
   * them with one.
   */
  decideWithin?(request: StoreRequest, timeoutMs: number): Promise<StoreDecision>
  /** Gives back units an earlier decision charged, keeping each key's TTL. */
  refund(refund: StoreRefund): Promise<void>
  /** Forgets everything stored for the target's key under its policies. */
  reset(target: StoreTarget): Promise<void>
  /**
   * Which part of the store a decision on this target depends on, such as the Cluster master that
   * serves its slot. Each part gets its own circuit breaker, so one failed master does not stop
   * decisions on the others. Without it, the whole store is one part.
   */
  failureDomain?(target: StoreTarget): string
}
