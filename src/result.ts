import type { Policy, PolicyOutcome } from './policy.js'

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
  /** Name of the most restrictive policy. */
  readonly policy: string
  /** Every policy's own verdict, in the order the limiter was given them. */
  readonly policies: readonly PolicyResult[]
  /** True when the store failed and `onStoreError` decided instead (or the fallback store did). */
  readonly degraded: boolean
}

/**
 * Combines per-policy outcomes. The most restrictive policy is, on a denial, the denying one that
 * asks for the longest wait; otherwise the one with the fewest units left (then the latest reset).
 */
export function combineOutcomes(
  policies: readonly Policy[],
  outcomes: readonly PolicyOutcome[],
  degraded: boolean,
): RateLimitResult {
  const results = policies.map((policy, index): PolicyResult => {
    const { allowed, remaining, resetAfterMs, retryAfterMs } = outcomes[index] as PolicyOutcome
    return { policy: policy.name, allowed, limit: policy.limit, remaining, resetAfterMs, retryAfterMs }
  })
  const allowed = results.every((result) => result.allowed)
  const decisive = results.reduce((best, result) => (moreRestrictive(result, best, allowed) ? result : best))
  const { limit, remaining, resetAfterMs, retryAfterMs, policy } = decisive
  return { allowed, limit, remaining, resetAfterMs, retryAfterMs, policy, policies: results, degraded }
}

function moreRestrictive(candidate: PolicyResult, best: PolicyResult, allowed: boolean): boolean {
  if (!allowed) return !candidate.allowed && (best.allowed || candidate.retryAfterMs > best.retryAfterMs)
  if (candidate.remaining !== best.remaining) return candidate.remaining < best.remaining
  return candidate.resetAfterMs > best.resetAfterMs
}

/** `result` as it reads `elapsedMs` later: every wait shorter by that much, never below zero. */
export function ageResult(result: RateLimitResult, elapsedMs: number): RateLimitResult {
  const age = <T extends PolicyOutcome>(outcome: T): T => ({
    ...outcome,
    resetAfterMs: Math.max(0, outcome.resetAfterMs - elapsedMs),
    retryAfterMs: Math.max(0, outcome.retryAfterMs - elapsedMs),
  })
  return { ...age(result), policies: result.policies.map(age) }
}
