import luaSource from '../../lua/fixed-window.lua'
import { RateLimitOptionsError } from '../errors.js'
import {
  type Algorithm,
  definePolicy,
  type Policy,
  type PolicyFields,
  readPolicyOptions,
  storedFields,
  type WindowPolicyOptions,
} from '../policy.js'
import { describe } from '../validate.js'
import { fixedWindowAnchoredAlgorithm } from './fixed-window-anchored.js'

interface FixedWindowState {
  readonly window: number
  readonly used: number
}

const fixedWindowAlgorithm: Algorithm<FixedWindowState> = {
  name: 'fixed-window',
  keyTag: '',
  luaSource,
  luaFunction: 'fixed_window',
  evaluate({ limit, windowMs }, state, nowMs, cost, charge) {
    let window = Math.floor(nowMs / windowMs)
    let atMs = nowMs
    let used = 0
    if (state?.window === window) used = state.used
    // Stryker disable next-line EqualityOperator: an equal stored window is caught by the line above
    else if (state && state.window > window) {
      // The clock went back before the stored window: no time passed since its start.
      window = state.window
      used = state.used
      atMs = window * windowMs
    }
    const untilEndMs = (window + 1) * windowMs - atMs
    const allowed = cost <= limit - used
    const charged = allowed && charge && cost > 0
    if (charged) used += cost
    const resetAfterMs = used > 0 ? untilEndMs : 0
    return {
      allowed,
      remaining: Math.max(0, limit - used),
      resetAfterMs,
      retryAfterMs: allowed ? 0 : cost <= limit ? untilEndMs : Number.POSITIVE_INFINITY,
      nextQuotaMs: resetAfterMs,
      nextState: charged ? { window, used } : undefined,
      expiresAtMs: atMs + untilEndMs,
    }
  },
  parseState(text) {
    const [window, used] = storedFields(text, 2) as [number, number]
    return { window, used }
  },
  pack({ window, used }, into) {
    into.packedA = window
    into.packedB = used
  },
  unpack({ packedA, packedB }) {
    return { window: packedA, used: packedB }
  },
  refund({ windowMs }, state, _nowMs, chargedAtMs, cost) {
    if (state.window !== Math.floor(chargedAtMs / windowMs)) return undefined
    return { window: state.window, used: Math.max(0, state.used - cost) }
  },
}

/** Options of {@link fixedWindow}. */
export interface FixedWindowOptions extends WindowPolicyOptions {
  /**
   * Where windows start: `'epoch'`, numbered from the Unix epoch, so every client's window ends at
   * the same instants; or `'first-request'`, each client's window opening with its first request
   * after the last one ended (as INCR and EXPIRE on a first hit, and the peers' stores, do).
   * @default 'epoch'
   */
  readonly anchor?: 'epoch' | 'first-request'
}

/**
 * At most `limit` units per window of `windowMs`; one counter per key, the cheapest policy to store.
 * Windows are numbered from the Unix epoch, so every client's window ends at the same instants,
 * unless `anchor: 'first-request'` opens each client's window at its first request.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ policy: fixedWindow({ limit: 100, windowMs: 60_000 }) })
 * const perLogin = fixedWindow({ limit: 5, windowMs: 15 * 60_000, anchor: 'first-request' })
 * ```
 */
export function fixedWindow(options: FixedWindowOptions): Policy {
  const fields = readPolicyOptions(options, 'fixedWindow', ['anchor'])
  const anchor = options.anchor ?? 'epoch'
  if (anchor !== 'epoch' && anchor !== 'first-request')
    throw new RateLimitOptionsError(`Expected \`anchor\` to be 'epoch' or 'first-request', got ${describe(anchor)}`)
  const remake = ({ burst: _burst, ...window }: PolicyFields) => fixedWindow({ ...window, anchor })
  if (anchor === 'epoch') return definePolicy(fixedWindowAlgorithm, fields, remake)
  return definePolicy(fixedWindowAnchoredAlgorithm, fields, remake)
}
