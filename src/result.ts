import type { PenaltyOutcome } from './penalty.js'
import type { Policy, PolicyOutcome } from './policy.js'
import type { Store } from './store.js'

/** One policy's part of a decision. */
export interface PolicyResult extends PolicyOutcome {
  /** The policy's name. */
  readonly policy: string
  /** The policy's limit. */
  readonly limit: number
}

/** The answer to `consume` or `peek`: the most restrictive policy's figures, and every policy's. */
export interface RateLimitResult {
  /** Whether the request passes: every policy allowed it (and, for `consume`, it was charged). */
  readonly allowed: boolean
  /** Limit of the most restrictive policy. */
  readonly limit: number
  /** Units left under the most restrictive policy (never negative). */
  readonly remaining: number
  /** Milliseconds until the most restrictive policy's quota is whole again. */
  readonly resetAfterMs: number
  /** Milliseconds until a request of this cost could pass: 0 when allowed, `Infinity` when never. */
  readonly retryAfterMs: number
  /**
   * Milliseconds until the most restrictive policy has more quota, with no other traffic (0 when
   * its quota is whole): what the `t` and `RateLimit-Reset` headers tell clients.
   */
  readonly nextQuotaMs: number
  /** When the store decided, in ms since the epoch, by its clock (Redis `TIME`, or the limiter's `clock`). */
  readonly decidedAtMs: number
  /** Name of the most restrictive policy. */
  readonly policy: string
  /** Every policy's own verdict, in the order the limiter was given them. */
  readonly policies: readonly PolicyResult[]
  /** True when the store failed and `onStoreError` decided instead (or the fallback store did). */
  readonly degraded: boolean
  /** Refused by a ban: one in force, or the one this refusal started (the limiter's `ban`). */
  readonly banned: boolean
  /**
   * The client's refusals in a row, this one included (1: the first refusal since it was last
   * allowed), when the limiter counts them (`ban`, `continueExceeding`, `countRefusals`); 0 for an
   * allowed request, one refused by a ban in force, or a limiter that counts none.
   */
  readonly refusals: number
}

/** What an allowed `consume` charged, and on which store: what `refund(result)` gives back. */
export interface Charge {
  readonly key: string
  readonly cost: number
  readonly chargedAtMs: number
  readonly store: Store
  readonly policies: readonly Policy[]
}

/** What a result charged nothing under: one shared array, so no result makes an empty one. */
const NO_POLICIES: readonly Policy[] = Object.freeze([])

/** A result that carries, out of sight, what its decision charged. */
class ChargedResult implements RateLimitResult {
  // Kept as fields rather than one Charge object: most results are never refunded.
  #store: Store | undefined
  // Stryker disable next-line StringLiteral: read only after attachCharge has written it
  #key = ''
  #cost = 0
  #chargePolicies: readonly Policy[] = NO_POLICIES

  constructor(
    readonly allowed: boolean,
    readonly limit: number,
    readonly remaining: number,
    readonly resetAfterMs: number,
    readonly retryAfterMs: number,
    readonly nextQuotaMs: number,
    readonly decidedAtMs: number,
    readonly policy: string,
    readonly policies: readonly PolicyResult[],
    readonly degraded: boolean,
    readonly banned: boolean,
    readonly refusals: number,
  ) {}

  /** Records what the decision charged, on which store: what `refund(result)` will give back. */
  static attachCharge(
    result: RateLimitResult,
    store: Store,
    key: string,
    cost: number,
    policies: readonly Policy[],
  ): void {
    if (!(#store in result) || !result.allowed) return
    result.#store = store
    result.#key = key
    result.#cost = cost
    result.#chargePolicies = policies
  }

  /** The charge behind `result`, handed out once: a second refund of the same result gives nothing. */
  static takeCharge(result: RateLimitResult): Charge | undefined {
    if (!(#store in result) || result.#store === undefined) return undefined
    const charge = {
      store: result.#store,
      key: result.#key,
      cost: result.#cost,
      // A charge is made when its result is decided.
      chargedAtMs: result.decidedAtMs,
      policies: result.#chargePolicies,
    }
    result.#store = undefined
    return charge
  }
}

/** Records what an allowed result's decision charged; a denial charged nothing and keeps nothing. */
export const attachCharge = ChargedResult.attachCharge

/** The charge behind a result of `consume`, once; undefined for any other value. */
export const takeCharge = ChargedResult.takeCharge

/**
 * Combines per-policy outcomes, and what the penalties did. The most restrictive policy is, on a
 * denial, the denying one that asks for the longest wait; otherwise the one with the fewest units
 * left (then the latest reset). A client refused by a penalty is refused until it ends, whatever its
 * policies say.
 */
export function combineOutcomes(
  policies: readonly Policy[],
  outcomes: readonly PolicyOutcome[],
  degraded: boolean,
  decidedAtMs: number,
  penalty?: PenaltyOutcome,
): RateLimitResult {
  // Sized up front: an array grown by push would reserve room for 16 more on every decision.
  // Stryker disable next-line ArrayDeclaration: grown from empty, the array holds the same results
  const results = new Array<PolicyResult>(policies.length)
  let allowed = true
  for (let index = 0; index < policies.length; index++) {
    const { name, limit } = policies[index] as Policy
    const { allowed: passes, remaining, resetAfterMs, retryAfterMs, nextQuotaMs } = outcomes[index] as PolicyOutcome
    results[index] = { policy: name, allowed: passes, limit, remaining, resetAfterMs, retryAfterMs, nextQuotaMs }
    allowed &&= passes
  }
  let decisive = results[0] as PolicyResult
  for (let index = 1; index < results.length; index++)
    if (moreRestrictive(results[index] as PolicyResult, decisive, allowed)) decisive = results[index] as PolicyResult
  const { limit, remaining, resetAfterMs, nextQuotaMs, policy } = decisive
  const penaltyWaitMs = penalty && penalty.untilMs > decidedAtMs ? penalty.untilMs - decidedAtMs : 0
  return new ChargedResult(
    allowed && penaltyWaitMs === 0,
    limit,
    remaining,
    resetAfterMs,
    Math.max(decisive.retryAfterMs, penaltyWaitMs),
    nextQuotaMs,
    decidedAtMs,
    policy,
    results,
    degraded,
    penalty?.banned ?? false,
    penalty?.refusals ?? 0,
  )
}

function moreRestrictive(candidate: PolicyResult, best: PolicyResult, allowed: boolean): boolean {
  if (!allowed) return !candidate.allowed && (best.allowed || candidate.retryAfterMs > best.retryAfterMs)
  if (candidate.remaining !== best.remaining) return candidate.remaining < best.remaining
  return candidate.resetAfterMs > best.resetAfterMs
}

/**
 * A denial `result` as it reads `elapsedMs` later: every wait shorter by that much, never below
 * zero, and no refusal counted, as the store answers a request that meets a ban in force (so a
 * hook on the refusal that started a ban does not run again for each request it refuses).
 */
export function ageResult(result: RateLimitResult, elapsedMs: number): RateLimitResult {
  const age = <T extends PolicyOutcome>(outcome: T): T => ({
    ...outcome,
    resetAfterMs: Math.max(0, outcome.resetAfterMs - elapsedMs),
    retryAfterMs: Math.max(0, outcome.retryAfterMs - elapsedMs),
    nextQuotaMs: Math.max(0, outcome.nextQuotaMs - elapsedMs),
  })
  const decidedAtMs = result.decidedAtMs + elapsedMs
  return { ...age(result), decidedAtMs, policies: result.policies.map(age), refusals: 0 }
}
