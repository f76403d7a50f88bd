import luaSource from '../../lua/fixed-window-anchored.lua'
import { type Algorithm, storedFields } from '../policy.js'

interface AnchoredWindowState {
  /** When the client's window opened, in ms since the epoch. */
  readonly startMs: number
  readonly used: number
}

/**
 * The fixed window whose windows open at a client's first request (after the last one ended), as
 * INCR and EXPIRE on a first hit do: the twin of lua/fixed-window-anchored.lua. Made by
 * `fixedWindow({ ..., anchor: 'first-request' })`.
 */
export const fixedWindowAnchoredAlgorithm: Algorithm<AnchoredWindowState> = {
  name: 'fixed-window-anchored',
  keyTag: 'fa',
  luaSource,
  luaFunction: 'fixed_window_anchored',
  evaluate({ limit, windowMs }, state, nowMs, cost, charge) {
    // A clock that went back before the stored start counts as that start: no time passed.
    // Stryker disable next-line EqualityOperator: when the two times are equal, either is the same time
    const atMs = state && state.startMs > nowMs ? state.startMs : nowMs
    const open = state !== undefined && atMs < state.startMs + windowMs
    const startMs = open ? state.startMs : atMs
    let used = open ? state.used : 0
    const untilEndMs = startMs + windowMs - atMs
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
      nextState: charged ? { startMs, used } : undefined,
      expiresAtMs: startMs + windowMs,
    }
  },
  parseState(text) {
    const [startMs, used] = storedFields(text, 2) as [number, number]
    return { startMs, used }
  },
  pack({ startMs, used }, into) {
    into.packedA = startMs
    into.packedB = used
  },
  unpack({ packedA, packedB }) {
    return { startMs: packedA, used: packedB }
  },
  refund({ windowMs }, state, _nowMs, chargedAtMs, cost) {
    if (chargedAtMs < state.startMs || chargedAtMs >= state.startMs + windowMs) return undefined
    return { startMs: state.startMs, used: Math.max(0, state.used - cost) }
  },
}
