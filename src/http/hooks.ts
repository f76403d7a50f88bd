import { createThrottledLog } from '../error-log.js'
import { RateLimitOptionsError } from '../errors.js'
import type { RateLimitResult } from '../result.js'
import { describe } from '../validate.js'
import type { RateLimitHook } from './options.js'

/** The hooks an adapter may be given, by name. */
export interface RateLimitHooks<Req> {
  readonly onLimitReached?: RateLimitHook<Req> | undefined
  readonly onRefusal?: RateLimitHook<Req> | undefined
  readonly onBan?: RateLimitHook<Req> | undefined
}

/** The names of the hooks, in the order they run on one refusal. */
export const HOOK_NAMES = ['onRefusal', 'onLimitReached', 'onBan'] as const

/**
 * Checks the hooks and makes the one function the flow calls on a refusal: it runs each hook the
 * refusal concerns, without waiting for one that returns a promise, so a hook never delays the
 * answer. A hook that throws or rejects is logged (console.error, at most once per 10 s per hook)
 * and changes nothing else. Undefined when no hook is given.
 *
 * @example
 * ```ts
 * const onRefused = createHookRunner({ onBan: (request, result) => alert(result) })
 * onRefused?.(request, result)
 * ```
 */
export function createHookRunner<Req>(
  hooks: RateLimitHooks<Req>,
): ((request: Req, result: RateLimitResult) => void) | undefined {
  const given = HOOK_NAMES.filter((name) => hooks[name] !== undefined)
  for (const name of given)
    if (typeof hooks[name] !== 'function')
      throw new RateLimitOptionsError(`Expected \`${name}\` to be a function, got ${describe(hooks[name])}`)
  if (given.length === 0) return undefined
  const run = Object.fromEntries(given.map((name) => [name, guarded(hooks[name] as RateLimitHook<Req>, name)]))
  const { onRefusal, onLimitReached, onBan } = run as Record<
    (typeof HOOK_NAMES)[number],
    RateLimitHook<Req> | undefined
  >
  return function runRefusalHooks(request, result) {
    onRefusal?.(request, result)
    if (result.refusals === 1) onLimitReached?.(request, result)
    if (result.banned && result.refusals > 0) onBan?.(request, result)
  }
}

/** The hook, with whatever it throws or rejects with logged instead. */
function guarded<Req>(hook: RateLimitHook<Req>, name: string): RateLimitHook<Req> {
  const log = createThrottledLog(`the ${name} hook failed`)
  return function runHook(request, result) {
    try {
      const returned = hook(request, result)
      // Stryker disable next-line ConditionalExpression: a shortcut: a value that is no promise, resolved, never rejects
      if (typeof (returned as PromiseLike<unknown> | null)?.then === 'function') Promise.resolve(returned).catch(log)
    } catch (error) {
      log(error)
    }
  }
}
