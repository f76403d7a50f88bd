import { policyByName } from '../algorithms/by-name.js'
import { RateLimitOptionsError } from '../errors.js'
import { RateLimiter } from '../limiter.js'
import { windowText } from '../policy.js'
import { describe, withDefault } from '../validate.js'
import type { HttpRateLimitOptions } from './options.js'
import { registerQuotas } from './warnings.js'

/** The options a limiter is built from, which a ready `limiter` replaces. */
export const LIMITER_OPTIONS = [
  'limit',
  'windowMs',
  'algorithm',
  'anchor',
  'store',
  'prefix',
  'ban',
  'continueExceeding',
  'countRefusals',
] as const

type LimiterOptions = Pick<
  HttpRateLimitOptions<never, never, never>,
  (typeof LIMITER_OPTIONS)[number] | 'limiter' | 'onLimitReached' | 'onBan'
>

/**
 * The given `limiter`, or one built from the limiter options; never both, except `limit` and
 * `windowMs` as functions of the request, which a ready limiter of one policy decides under per call
 * (its policy keeps its name). `onLimitReached` needs refusals counted: a built limiter counts them,
 * a ready one must.
 */
export function readLimiter(given: LimiterOptions): RateLimiter {
  if (given.limiter !== undefined) return readyLimiter(given)
  if (given.onLimitReached !== undefined && given.countRefusals === false)
    throw new RateLimitOptionsError('Expected `countRefusals` to be left out or true with `onLimitReached`')
  if (given.onBan !== undefined && given.ban === undefined)
    throw new RateLimitOptionsError('Expected `ban` with `onBan`, which is called when a ban starts')
  const limit = withDefault(given.limit, 100)
  const windowMs = withDefault(given.windowMs, 60_000)
  // A number given per request stands in the name as the word: `limit-per-60s`, the same for every
  // request, so a client's stored state carries over when its limit changes.
  const name = perRequestName(limit, windowMs)
  const window = {
    limit: typeof limit === 'function' ? 1 : limit,
    windowMs: typeof windowMs === 'function' ? 60_000 : windowMs,
    ...definedOnly({ anchor: given.anchor }),
    // Stryker disable next-line ConditionalExpression: a name given as undefined reads as none given
    ...(name === undefined ? {} : { name }),
  }
  const policy = policyByName(withDefault<unknown>(given.algorithm, 'fixed-window'), window)
  const { store, prefix, ban, continueExceeding } = given
  // onLimitReached knows a client's first refusal by the count of refusals in a row.
  const countRefusals = given.countRefusals ?? given.onLimitReached !== undefined
  const limiter = new RateLimiter({ policy, ...definedOnly({ store, prefix, ban, continueExceeding, countRefusals }) })
  if (given.store !== undefined) registerQuotas(given.store, limiter.prefix, limiter.policies)
  return limiter
}

function readyLimiter({ limiter, onLimitReached, ...rest }: LimiterOptions): RateLimiter {
  if (!(limiter instanceof RateLimiter))
    throw new RateLimitOptionsError(`Expected \`limiter\` to be a RateLimiter, got ${describe(limiter)}`)
  const mixed = LIMITER_OPTIONS.find((name) => rest[name] !== undefined && !perRequestOf(name, rest[name]))
  if (mixed !== undefined)
    throw new RateLimitOptionsError(
      `Expected \`${mixed}\` to be left out when \`limiter\` is given (set it on the RateLimiter instead)`,
    )
  const perRequest = PER_REQUEST_OPTIONS.find((name) => rest[name] !== undefined)
  if (perRequest !== undefined && limiter.policies.length !== 1)
    throw new RateLimitOptionsError(
      `Expected a \`limiter\` of one policy with a per-request \`${perRequest}\`, got ${limiter.policies.length} policies`,
    )
  if (onLimitReached !== undefined && !limiter.countsRefusals)
    throw new RateLimitOptionsError(
      'Expected the `limiter` to count refusals for `onLimitReached`: create it with `countRefusals: true`',
    )
  return limiter
}

/** The options a ready limiter also takes as functions of the request: it decides under them per call. */
const PER_REQUEST_OPTIONS = ['limit', 'windowMs'] as const

function perRequestOf(name: string, value: unknown): boolean {
  return typeof value === 'function' && (PER_REQUEST_OPTIONS as readonly string[]).includes(name)
}

/** The policy name when the limit or the window is a function of the request; undefined when neither is. */
function perRequestName(limit: unknown, windowMs: unknown): string | undefined {
  if (typeof limit !== 'function' && typeof windowMs !== 'function') return undefined
  const window = typeof windowMs === 'function' ? 'window' : windowText(windowMs as number)
  return `${typeof limit === 'function' ? 'limit' : String(limit)}-per-${window}`
}

function definedOnly<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>
}
