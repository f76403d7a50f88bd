import luaSource from '../../lua/fixed-window.lua'
import {
  type Algorithm,
  definePolicy,
  type Policy,
  readPolicyOptions,
  storedFields,
  type WindowPolicyOptions,
} from '../policy.js'

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
    const window = Math.floor(nowMs / windowMs)
    const windowEndMs = (window + 1) * windowMs
    let used = state?.window === window ? state.used : 0
    if (cost <= limit - used) {
      const charged = charge && cost > 0
      if (charged) used += cost
      return {
        allowed: true,
        remaining: limit - used,
        resetAfterMs: used > 0 ? windowEndMs - nowMs : 0,
        retryAfterMs: 0,
        nextState: charged ? { window, used } : undefined,
        expiresAtMs: windowEndMs,
      }
    }
    return {
      allowed: false,
      remaining: limit - used,
      resetAfterMs: used > 0 ? windowEndMs - nowMs : 0,
      retryAfterMs: cost <= limit ? windowEndMs - nowMs : Number.POSITIVE_INFINITY,
      expiresAtMs: windowEndMs,
    }
  },
  parseState(text) {
    const [window, used] = storedFields(text, 2) as [number, number]
    return { window, used }
  },
  refund({ windowMs }, state, _nowMs, chargedAtMs, cost) {
    if (state.window !== Math.floor(chargedAtMs / windowMs)) return undefined
    return { window: state.window, used: Math.max(0, state.used - cost) }
  },
}

/**
 * At most `limit` units per window of `windowMs`. Windows are numbered from the Unix epoch, so every
 * client's window ends at the same instants; one counter per key, the cheapest policy to store.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ policy: fixedWindow({ limit: 100, windowMs: 60_000 }) })
 * ```
 */
export function fixedWindow(options: WindowPolicyOptions): Policy {
  return definePolicy(fixedWindowAlgorithm, readPolicyOptions(options, 'fixedWindow', false))
}
