import { policyByName } from '../algorithms/by-name.js'
import { RateLimitOptionsError } from '../errors.js'
import { RateLimiter } from '../limiter.js'
import { windowText } from '../policy.js'
import { assertInteger, assertKnownOptions, assertOptionsObject, describe, withDefault } from '../validate.js'
import type { HeadersDraft } from './headers.js'
import type { HttpRateLimitOptions, ResolvedHttpOptions, TrustProxyOption } from './options.js'
import { registerQuotas } from './warnings.js'

/** How an adapter's options differ from the shared ones. */
export interface AdapterOptionSpec {
  /** Names the options in error messages, for example `'rateLimit() (express)'`. */
  readonly subject: string
  /** Whether the adapter takes `trustProxy` (its framework has no proxy setting of its own). */
  readonly trustProxy?: boolean
}

const LIMITER_OPTIONS = ['limit', 'windowMs', 'algorithm', 'anchor', 'store', 'prefix'] as const
const SHARED_OPTIONS = [
  ...LIMITER_OPTIONS,
  'limiter',
  'keyGenerator',
  'cost',
  'skip',
  'handler',
  'message',
  'statusCode',
  'standardHeaders',
  'legacyHeaders',
  'skipSuccessfulRequests',
  'skipFailedRequests',
  'requestWasSuccessful',
  'ipv6Subnet',
  'quotaUnit',
]
const DRAFTS: readonly (HeadersDraft | false)[] = ['draft-8', 'draft-7', 'draft-6', false]

type Options<Req, Res, Handler> = HttpRateLimitOptions<Req, Res, Handler> & TrustProxyOption

/**
 * Checks every option once, at setup (a RateLimitOptionsError names the first bad one; `undefined`
 * means "use the default", `null` is rejected), and builds the limiter unless one was given.
 *
 * @example
 * ```ts
 * const { limiter, standardHeaders } = resolveHttpOptions({ limit: 5 }, { subject: 'rateLimit()' })
 * ```
 */
export function resolveHttpOptions<Req, Res, Handler>(
  options: Options<Req, Res, Handler> | undefined,
  spec: AdapterOptionSpec,
): ResolvedHttpOptions<Req, Res, Handler> {
  const given = assertOptionsObject(options, spec.subject) as Options<Req, Res, Handler>
  assertKnownOptions(given, spec.trustProxy ? [...SHARED_OPTIONS, 'trustProxy'] : SHARED_OPTIONS, spec.subject)
  if (given.handler !== undefined && given.message !== undefined)
    throw new RateLimitOptionsError('Expected only one of `handler` and `message`, got both')
  const cost = given.cost
  return {
    limiter: readLimiter(given),
    limitOf: typeof given.limit === 'function' ? given.limit : undefined,
    windowMsOf: typeof given.windowMs === 'function' ? given.windowMs : undefined,
    keyGenerator: readFunction(given.keyGenerator, 'keyGenerator'),
    cost: typeof cost === 'function' ? cost : assertInteger(withDefault(cost, 1), 'cost', 0),
    skip: readFunction(given.skip, 'skip'),
    handler: readFunction(given.handler, 'handler'),
    message: readMessage(given.message),
    statusCode: assertInteger(withDefault(given.statusCode, 429), 'statusCode', 400, 599),
    standardHeaders: readChoice(withDefault<unknown>(given.standardHeaders, 'draft-8'), 'standardHeaders', DRAFTS),
    legacyHeaders: readBoolean(given.legacyHeaders, 'legacyHeaders'),
    skipSuccessfulRequests: readBoolean(given.skipSuccessfulRequests, 'skipSuccessfulRequests'),
    skipFailedRequests: readBoolean(given.skipFailedRequests, 'skipFailedRequests'),
    requestWasSuccessful: readFunction(given.requestWasSuccessful, 'requestWasSuccessful'),
    ipv6Subnet: assertInteger(withDefault(given.ipv6Subnet, 56), 'ipv6Subnet', 1, 128),
    quotaUnit: readQuotaUnit(withDefault<unknown>(given.quotaUnit, 'requests')),
    trustProxy: readTrustProxy(withDefault<unknown>(given.trustProxy, false)),
  }
}

/** The given `limiter`, or one built from limit, windowMs, algorithm, store and prefix; never both. */
function readLimiter(
  given: Pick<HttpRateLimitOptions<never, never, never>, (typeof LIMITER_OPTIONS)[number] | 'limiter'>,
): RateLimiter {
  const mixed = LIMITER_OPTIONS.filter((name) => given[name] !== undefined)
  if (given.limiter !== undefined) {
    if (!(given.limiter instanceof RateLimiter))
      throw new RateLimitOptionsError(`Expected \`limiter\` to be a RateLimiter, got ${describe(given.limiter)}`)
    if (mixed.length > 0)
      throw new RateLimitOptionsError(
        `Expected \`${mixed[0]}\` to be left out when \`limiter\` is given (set it on the RateLimiter instead)`,
      )
    return given.limiter
  }
  const limit = withDefault(given.limit, 100)
  const windowMs = withDefault(given.windowMs, 60_000)
  // A number given per request stands in the name as the word: `limit-per-60s`, the same for every
  // request, so a client's stored state carries over when its limit changes.
  const name = perRequestName(limit, windowMs)
  const window = {
    limit: typeof limit === 'function' ? 1 : limit,
    windowMs: typeof windowMs === 'function' ? 60_000 : windowMs,
    ...definedOnly({ anchor: given.anchor }),
    ...(name === undefined ? {} : { name }),
  }
  const policy = policyByName(withDefault<unknown>(given.algorithm, 'fixed-window'), window)
  const limiter = new RateLimiter({ policy, ...definedOnly({ store: given.store, prefix: given.prefix }) })
  if (given.store !== undefined) registerQuotas(given.store, limiter.prefix, limiter.policies)
  return limiter
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

function readFunction<F>(value: F | undefined, option: string): F | undefined {
  if (value === undefined || typeof value === 'function') return value
  throw new RateLimitOptionsError(`Expected \`${option}\` to be a function, got ${describe(value)}`)
}

function readBoolean(value: unknown, option: string): boolean {
  if (value === undefined || typeof value === 'boolean') return value === true
  throw new RateLimitOptionsError(`Expected \`${option}\` to be a boolean, got ${describe(value)}`)
}

function readChoice<T>(value: unknown, option: string, choices: readonly T[]): T {
  if (choices.includes(value as T)) return value as T
  const names = choices.map((choice) => (typeof choice === 'string' ? `'${choice}'` : String(choice)))
  throw new RateLimitOptionsError(
    `Expected \`${option}\` to be ${names.slice(0, -1).join(', ')} or ${names.at(-1)}, got ${describe(value)}`,
  )
}

function readMessage<M>(value: M): M {
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value)
  if (value === undefined || typeof value === 'string' || typeof value === 'function' || isObject) return value
  throw new RateLimitOptionsError(
    `Expected \`message\` to be a string, an object or a function, got ${describe(value)}`,
  )
}

function readQuotaUnit(value: unknown): string {
  if (typeof value === 'string' && /^[a-z][a-z0-9-]{0,63}$/.test(value)) return value
  throw new RateLimitOptionsError(
    `Expected \`quotaUnit\` to be a lower-case unit name such as 'content-bytes', got ${describe(value)}`,
  )
}

function readTrustProxy(value: unknown): boolean | number {
  if (typeof value === 'boolean' || (Number.isSafeInteger(value) && (value as number) >= 0))
    return value as boolean | number
  throw new RateLimitOptionsError(
    `Expected \`trustProxy\` to be a boolean or a number of proxies, got ${describe(value)}`,
  )
}
