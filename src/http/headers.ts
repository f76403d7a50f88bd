import type { Policy } from '../policy.js'
import type { PolicyResult, RateLimitResult } from '../result.js'
import { serializeDictionary, serializeInteger, serializeItem, serializeString } from './structured-fields.js'

/** Which version of draft-ietf-httpapi-ratelimit-headers the standard headers follow. */
export type HeadersDraft = 'draft-6' | 'draft-7' | 'draft-8'

/** Response header lines, name then value, in the order they are to be set. */
export type HeaderLines = Array<[name: string, value: string]>

/** What the header functions describe: one decision, under the limiter's policies. */
export interface HeaderInput {
  /** The decision. */
  readonly result: RateLimitResult
  /** The limiter's policies, in the order of `result.policies`. */
  readonly policies: readonly Policy[]
  /** Hashed partition key as a serialized Byte Sequence (`:base64:`), sent as `pk` by draft-8; left out when undefined. */
  readonly partitionKey?: string | undefined
  /** Quota unit, sent as `qu` by draft-8 unless it is the default, `'requests'`. */
  readonly quotaUnit?: string | undefined
}

/** Milliseconds as whole seconds, rounded up and never negative, as every header field wants. */
export function toSeconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000))
}

/**
 * The syntax of draft-08 to -11: one list member per policy, named by the policy,
 * `RateLimit-Policy: "100-per-60s";q=100;w=60` and `RateLimit: "100-per-60s";r=99;t=42`.
 *
 * @example
 * ```ts
 * for (const [name, value] of draft8Headers({ result, policies: limiter.policies })) res.setHeader(name, value)
 * ```
 */
export function draft8Headers({ result, policies, partitionKey, quotaUnit }: HeaderInput): HeaderLines {
  const qu = quotaUnit === 'requests' ? undefined : quotaUnit
  // `pk` is the last parameter of every item: serialized once, appended to each.
  const pk = partitionKey === undefined ? '' : `;pk=${partitionKey}`
  let policyField = ''
  let limitField = ''
  result.policies.forEach(({ remaining, nextQuotaMs }, index) => {
    const items = itemsOf(policies[index] as Policy, qu)
    const separator = index === 0 ? '' : ', '
    policyField += `${separator}${items.policy}${pk}`
    limitField += `${separator}${items.remaining}${serializeInteger(remaining)};t=${toSeconds(nextQuotaMs)}${pk}`
  })
  return [
    ['RateLimit-Policy', policyField],
    ['RateLimit', limitField],
  ]
}

/** A policy's draft-8 texts, built once per policy and quota unit rather than per response. */
interface PolicyItems {
  /** Its `RateLimit-Policy` item without `pk`: `"100-per-60s";q=100;w=60`. */
  readonly policy: string
  /** The start of its `RateLimit` item, up to the remaining units: `"100-per-60s";r=`. */
  readonly remaining: string
}

const itemsByPolicy = new WeakMap<Policy, Map<string | undefined, PolicyItems>>()

function itemsOf(policy: Policy, qu: string | undefined): PolicyItems {
  let byUnit = itemsByPolicy.get(policy)
  // Stryker disable next-line ConditionalExpression: a cache: built again, the texts are the same
  if (!byUnit) {
    byUnit = new Map()
    itemsByPolicy.set(policy, byUnit)
  }
  let items = byUnit.get(qu)
  // Stryker disable next-line ConditionalExpression: a cache: built again, the texts are the same
  if (items === undefined) {
    items = {
      policy: serializeItem(policy.name, { q: policy.limit, qu, w: toSeconds(policy.windowMs) }),
      remaining: `${serializeString(policy.name)};r=`,
    }
    byUnit.set(qu, items)
  }
  return items
}

/** draft-07: `RateLimit-Policy: 100;w=60` and `RateLimit: limit=100, remaining=99, reset=42` (most restrictive policy). */
export function draft7Headers({ result, policies }: HeaderInput): HeaderLines {
  const rateLimit = { limit: result.limit, remaining: result.remaining, reset: toSeconds(result.nextQuotaMs) }
  return [
    ['RateLimit-Policy', unnamedPolicies(policies)],
    ['RateLimit', serializeDictionary(rateLimit)],
  ]
}

/** draft-06: `RateLimit-Policy: 100;w=60` and `RateLimit-Limit`, `-Remaining`, `-Reset` (seconds). */
export function draft6Headers({ result, policies }: HeaderInput): HeaderLines {
  return [
    ['RateLimit-Policy', unnamedPolicies(policies)],
    ['RateLimit-Limit', serializeInteger(result.limit)],
    ['RateLimit-Remaining', serializeInteger(result.remaining)],
    ['RateLimit-Reset', serializeInteger(toSeconds(result.nextQuotaMs))],
  ]
}

/**
 * `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`: the instant more quota is
 * available (the decision's time plus `nextQuotaMs`) in epoch seconds, rounded up.
 */
export function legacyHeaders(result: RateLimitResult): HeaderLines {
  return [
    ['X-RateLimit-Limit', String(result.limit)],
    ['X-RateLimit-Remaining', String(result.remaining)],
    ['X-RateLimit-Reset', String(toSeconds(result.decidedAtMs + result.nextQuotaMs))],
  ]
}

/**
 * Seconds a refused client should wait: the earliest whole second at which this same request would
 * pass with no other traffic, over every violated policy (a policy's quota only grows while no one
 * spends it, so the longest wait is when all of them allow), and until a penalty (a ban, a block of
 * continueExceeding) ends. A cost that can never pass gets the violated policy's window.
 *
 * @example
 * ```ts
 * if (!result.allowed) res.setHeader('Retry-After', String(retryAfterSeconds(result, limiter.policies)))
 * ```
 */
export function retryAfterSeconds(result: RateLimitResult, policies: readonly Policy[]): number {
  // A penalty refuses while every policy may allow: only the result's own wait includes it.
  let seconds = Number.isFinite(result.retryAfterMs) ? toSeconds(result.retryAfterMs) : 0
  result.policies.forEach((outcome: PolicyResult, index) => {
    // Stryker disable next-line ConditionalExpression: a policy that allows has a retryAfterMs of 0, which raises no wait
    if (outcome.allowed) return
    const windowMs = (policies[index] as Policy).windowMs
    const waitMs = Number.isFinite(outcome.retryAfterMs) ? outcome.retryAfterMs : windowMs
    seconds = Math.max(seconds, toSeconds(waitMs))
  })
  return seconds
}

const unnamedByPolicies = new WeakMap<readonly Policy[], string>()

/**
 * draft-6 and -7's `RateLimit-Policy` value, `100;w=60, 1000;w=86400`: built once per limiter's
 * policy list (frozen, as are its policies); a list that may still change is read every time.
 */
function unnamedPolicies(policies: readonly Policy[]): string {
  let value = unnamedByPolicies.get(policies)
  // Stryker disable next-line ConditionalExpression: a cache: built again, the texts are the same
  if (value === undefined) {
    value = policies.map(({ limit, windowMs }) => serializeItem(limit, { w: toSeconds(windowMs) })).join(', ')
    // Stryker disable next-line ConditionalExpression: a cache: built again, the texts are the same
    if (Object.isFrozen(policies)) unnamedByPolicies.set(policies, value)
  }
  return value
}

/** The header functions, by draft. */
export const standardHeaders = {
  'draft-6': draft6Headers,
  'draft-7': draft7Headers,
  'draft-8': draft8Headers,
} satisfies Record<HeadersDraft, (input: HeaderInput) => HeaderLines>
