import luaSource from '../../lua/token-bucket.lua'
import {
  type Algorithm,
  assertExactProduct,
  type BurstPolicyOptions,
  definePolicy,
  type Policy,
  readPolicyOptions,
  storedFields,
} from '../policy.js'

interface TokenBucketState {
  /** Tokens as of `atMs`, in parts of 1/windowMs: refilling adds `limit` parts per ms. */
  readonly parts: number
  readonly atMs: number
}

/** Parts in the bucket at `atMs` (never before the stored time), as lua/token-bucket.lua computes them (a missing state is full). */
function partsAt(state: TokenBucketState | undefined, atMs: number, limit: number, capacity: number): number {
  if (!state) return capacity
  return Math.min(capacity, state.parts + (atMs - state.atMs) * limit)
}

/** The time a decision counts at: a clock that went back before the stored time counts as that time, no time passed. */
function decisionTime(state: TokenBucketState | undefined, nowMs: number): number {
  // Stryker disable next-line EqualityOperator: when the two times are equal, either is the same time
  return state && state.atMs > nowMs ? state.atMs : nowMs
}

const tokenBucketAlgorithm: Algorithm<TokenBucketState> = {
  name: 'token-bucket',
  keyTag: 'tb',
  luaSource,
  luaFunction: 'token_bucket',
  evaluate({ limit, windowMs, burst }, state, nowMs, cost, charge) {
    const capacity = burst * windowMs
    const atMs = decisionTime(state, nowMs)
    let parts = partsAt(state, atMs, limit, capacity)
    const needed = cost * windowMs
    const allowed = needed <= parts
    const charged = allowed && charge && cost > 0
    if (charged) parts -= needed
    const remaining = Math.floor(parts / windowMs)
    const resetAfterMs = Math.ceil((capacity - parts) / limit)
    return {
      allowed,
      remaining,
      resetAfterMs,
      retryAfterMs: allowed ? 0 : cost > burst ? Number.POSITIVE_INFINITY : Math.ceil((needed - parts) / limit),
      nextQuotaMs: remaining < burst ? Math.ceil(((remaining + 1) * windowMs - parts) / limit) : 0,
      nextState: charged ? { parts, atMs } : undefined,
      expiresAtMs: atMs + resetAfterMs,
    }
  },
  parseState(text) {
    const [parts, atMs] = storedFields(text, 2) as [number, number]
    return { parts, atMs }
  },
  pack({ parts, atMs }, into) {
    into.packedA = parts
    into.packedB = atMs
  },
  unpack({ packedA, packedB }) {
    return { parts: packedA, atMs: packedB }
  },
  refund({ limit, windowMs, burst }, state, nowMs, _chargedAtMs, cost) {
    const capacity = burst * windowMs
    const atMs = decisionTime(state, nowMs)
    return { parts: Math.min(capacity, partsAt(state, atMs, limit, capacity) + cost * windowMs), atMs }
  },
}

/**
 * A bucket holding up to `burst` tokens (default `limit`), refilled continuously by `limit` tokens
 * per `windowMs`; a request takes `cost` tokens. Lets a client save up for a burst, then holds it to
 * the refill rate. Exact: tokens are counted in whole parts of 1/windowMs.
 *
 * @example
 * ```ts
 * // 10 per second on average, bursts of up to 50
 * const limiter = new RateLimiter({ policy: tokenBucket({ limit: 10, windowMs: 1_000, burst: 50 }) })
 * ```
 */
export function tokenBucket(options: BurstPolicyOptions): Policy {
  const fields = readPolicyOptions(options, 'tokenBucket', ['burst'])
  assertExactProduct(fields.burst * fields.windowMs, '`burst` × `windowMs`')
  return definePolicy(tokenBucketAlgorithm, fields, tokenBucket)
}
