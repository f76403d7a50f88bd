import luaSource from '../../lua/gcra.lua'
import {
  type Algorithm,
  assertExactProduct,
  type BurstPolicyOptions,
  definePolicy,
  type Policy,
  readPolicyOptions,
  storedFields,
} from '../policy.js'

/** The theoretical arrival time, in µs since the epoch. */
type GcraState = number

/** windowMs / limit in whole µs, rounded up so that the rate never exceeds the limit. */
function intervalUs(windowMs: number, limit: number): number {
  return Math.ceil((windowMs * 1000) / limit)
}

const gcraAlgorithm: Algorithm<GcraState> = {
  name: 'gcra',
  keyTag: 'gcra',
  luaSource,
  luaFunction: 'gcra',
  evaluate({ limit, windowMs, burst }, tatUs, nowMs, cost, charge) {
    const interval = intervalUs(windowMs, limit)
    const nowUs = nowMs * 1000
    let debtUs = Math.max(0, (tatUs ?? 0) - nowUs)
    const debtAfterUs = debtUs + cost * interval
    const allowed = debtAfterUs <= burst * interval
    const charged = allowed && charge && cost > 0
    if (charged) debtUs = debtAfterUs
    const remaining = Math.max(0, burst - Math.ceil(debtUs / interval))
    const resetAfterMs = Math.ceil(debtUs / 1000)
    return {
      allowed,
      remaining,
      resetAfterMs,
      retryAfterMs: allowed
        ? 0
        : cost > burst
          ? Number.POSITIVE_INFINITY
          : Math.ceil((debtAfterUs - burst * interval) / 1000),
      // Until the debt falls to what leaves one unit more than `remaining`.
      nextQuotaMs: remaining < burst ? Math.ceil((debtUs - (burst - remaining - 1) * interval) / 1000) : 0,
      nextState: charged ? nowUs + debtUs : undefined,
      expiresAtMs: nowMs + resetAfterMs,
    }
  },
  parseState(text) {
    return storedFields(text, 1)[0] as number
  },
  pack(tatUs, into) {
    into.packedA = tatUs
  },
  unpack({ packedA }) {
    return packedA
  },
  refund({ limit, windowMs }, tatUs, nowMs, _chargedAtMs, cost) {
    // Stryker disable next-line ArithmeticOperator: a time in ms read as µs lies decades back: the arrival time kept is then in the past, which owes nothing, as now does
    const nowUs = nowMs * 1000
    // Stryker disable next-line ConditionalExpression,EqualityOperator: an arrival time of now or earlier owes nothing: keeping it (at now) or dropping it decides every later request alike
    if (tatUs <= nowUs) return undefined
    return Math.max(nowUs, tatUs - cost * intervalUs(windowMs, limit))
  },
}

/**
 * Generic cell rate algorithm: `limit` units per `windowMs`, spaced evenly, with up to `burst`
 * (default `limit`) at once. One number per key (the theoretical arrival time), no window edges,
 * and the smoothest spacing of the four policies. The emission interval is counted in whole
 * microseconds, rounded up, so the rate never exceeds the limit.
 *
 * @example
 * ```ts
 * // 10 per second, evenly spaced, bursts of up to 20
 * const limiter = new RateLimiter({ policy: gcra({ limit: 10, windowMs: 1_000, burst: 20 }) })
 * ```
 */
export function gcra(options: BurstPolicyOptions): Policy {
  const fields = readPolicyOptions(options, 'gcra', ['burst'])
  // The arrival time, now in µs plus the burst's intervals, must stay an exact integer.
  assertExactProduct(
    fields.burst * intervalUs(fields.windowMs, fields.limit),
    '`burst` × `windowMs` / `limit` in µs',
    2 ** 52,
  )
  return definePolicy(gcraAlgorithm, fields, gcra)
}
