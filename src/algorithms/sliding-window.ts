import luaSource from '../../lua/sliding-window.lua'
import {
  type Algorithm,
  assertExactProduct,
  definePolicy,
  type Policy,
  readPolicyOptions,
  storedFields,
  type WindowPolicyOptions,
} from '../policy.js'

interface SlidingWindowState {
  /** Number of the newest window charged. */
  readonly window: number
  /** Units charged in that window. */
  readonly current: number
  /** Units charged in the window before it. */
  readonly previous: number
}

/** Units in this window and the previous one, as lua/sliding-window.lua reads them. */
function counts(state: SlidingWindowState | undefined, window: number): [current: number, previous: number] {
  if (state?.window === window) return [state.current, state.previous]
  if (state?.window === window - 1) return [0, state.current]
  return [0, 0]
}

/** The first moment a request of `cost` fits if nothing else is charged (see the Lua twin). */
function retryAt(
  windowStartMs: number,
  windowMs: number,
  current: number,
  previous: number,
  cost: number,
  limit: number,
) {
  const slack = limit - current - cost
  // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: as in its Lua twin (TESTING.md lists it): with no slack the branch works out the window's end, which the lines after it reach too; a request that does not fit with no previous units leaves no slack
  if (slack >= 0 && previous > 0) {
    const elapsedMs = windowMs - Math.floor((slack * windowMs) / previous)
    // Stryker disable next-line ConditionalExpression,EqualityOperator: as in its Lua twin (TESTING.md lists it): the wait is never above a window (the slack is not negative), and a whole window's is what the lines after it answer
    if (elapsedMs < windowMs) return windowStartMs + elapsedMs
  }
  const elapsedMs = current > 0 ? Math.max(0, windowMs - Math.floor(((limit - cost) * windowMs) / current)) : 0
  // Stryker disable next-line ConditionalExpression,EqualityOperator: as in its Lua twin (TESTING.md lists it): the wait is never above a window (no cost here is above the limit), and a whole window's in the next window ends where the line after it answers
  if (elapsedMs < windowMs) return windowStartMs + windowMs + elapsedMs
  return windowStartMs + 2 * windowMs
}

const slidingWindowAlgorithm: Algorithm<SlidingWindowState> = {
  name: 'sliding-window',
  keyTag: 'sw',
  luaSource,
  luaFunction: 'sliding_window',
  evaluate({ limit, windowMs }, state, nowMs, cost, charge) {
    // A clock that went back before the stored window counts as that window's start: no time passed.
    // Stryker disable next-line EqualityOperator: when the two times are equal, either is the same time
    const atMs = state && state.window * windowMs > nowMs ? state.window * windowMs : nowMs
    const window = Math.floor(atMs / windowMs)
    const windowStartMs = window * windowMs
    let [current, previous] = counts(state, window)
    const carried = Math.ceil((previous * (windowMs - (atMs - windowStartMs))) / windowMs)
    let remaining = Math.max(0, limit - current - carried)
    const allowed = cost <= remaining
    const charged = allowed && charge && cost > 0
    if (charged) [current, remaining] = [current + cost, remaining - cost]
    const expiresAtMs = windowStartMs + 2 * windowMs
    const resetAfterMs = current > 0 ? expiresAtMs - atMs : previous > 0 ? windowStartMs + windowMs - atMs : 0
    const waitFor = (units: number) => retryAt(windowStartMs, windowMs, current, previous, units, limit) - atMs
    return {
      allowed,
      remaining,
      resetAfterMs,
      retryAfterMs: allowed ? 0 : cost > limit ? Number.POSITIVE_INFINITY : waitFor(cost),
      nextQuotaMs: remaining < limit ? waitFor(remaining + 1) : 0,
      nextState: charged ? { window, current, previous } : undefined,
      expiresAtMs,
    }
  },
  parseState(text) {
    const [window, current, previous] = storedFields(text, 3) as [number, number, number]
    return { window, current, previous }
  },
  pack({ window, current, previous }, into) {
    into.packedA = window
    into.packedB = current
    into.packedC = previous
  },
  unpack({ packedA, packedB, packedC }) {
    return { window: packedA, current: packedB, previous: packedC }
  },
  refund({ windowMs }, state, _nowMs, chargedAtMs, cost) {
    const chargedWindow = Math.floor(chargedAtMs / windowMs)
    if (state.window === chargedWindow) return { ...state, current: Math.max(0, state.current - cost) }
    if (state.window === chargedWindow + 1) return { ...state, previous: Math.max(0, state.previous - cost) }
    return undefined
  },
}

/**
 * At most about `limit` units in any span of `windowMs`: the current window's units plus the
 * previous window's, weighted by how much of it the sliding span still covers. No burst of twice the
 * limit at a window edge, as fixed windows allow; two counters per key. It trusts that the previous
 * window's units came evenly spread: when they all came at its very end, a span of `windowMs` can
 * hold up to `limit` plus that window's units times the elapsed share of the current one.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ policy: slidingWindow({ limit: 100, windowMs: 60_000 }) })
 * ```
 */
export function slidingWindow(options: WindowPolicyOptions): Policy {
  const fields = readPolicyOptions(options, 'slidingWindow')
  assertExactProduct(fields.limit * fields.windowMs, '`limit` × `windowMs`')
  return definePolicy(slidingWindowAlgorithm, fields, ({ burst: _burst, ...window }) => slidingWindow(window))
}
