import { RateLimitOptionsError } from '../errors.js'
import { assertInteger, assertKnownOptions, assertOptionsObject, describe, withDefault } from '../validate.js'
import { readAccessList } from './access-lists.js'
import type { HeadersDraft } from './headers.js'
import { createHookRunner } from './hooks.js'
import { LIMITER_OPTIONS, readLimiter } from './limiter-from-options.js'
import type { HttpRateLimitOptions, ResolvedHttpOptions, TrustProxyOption } from './options.js'

/** How an adapter's options differ from the shared ones. */
export interface AdapterOptionSpec {
  /** Names the options in error messages, for example `'rateLimit() (express)'`. */
  readonly subject: string
  /** Whether the adapter takes `trustProxy` (its framework has no proxy setting of its own). */
  readonly trustProxy?: boolean
}

const SHARED_OPTIONS = [
  ...LIMITER_OPTIONS,
  'limiter',
  'keyGenerator',
  'cost',
  'skip',
  'handler',
  'message',
  'statusCode',
  'banStatusCode',
  'onLimitReached',
  'onRefusal',
  'onBan',
  'allowList',
  'denyList',
  'denyStatusCode',
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
  const ipv6Subnet = assertInteger(withDefault(given.ipv6Subnet, 56), 'ipv6Subnet', 1, 128)
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
    banStatusCode: assertInteger(withDefault(given.banStatusCode, 403), 'banStatusCode', 400, 599),
    onRefused: createHookRunner(given),
    allowList: readAccessList(given.allowList, 'allowList', ipv6Subnet),
    denyList: readAccessList(given.denyList, 'denyList', ipv6Subnet),
    denyStatusCode: assertInteger(withDefault(given.denyStatusCode, 403), 'denyStatusCode', 400, 599),
    standardHeaders: readChoice(withDefault<unknown>(given.standardHeaders, 'draft-8'), 'standardHeaders', DRAFTS),
    legacyHeaders: readBoolean(given.legacyHeaders, 'legacyHeaders'),
    skipSuccessfulRequests: readBoolean(given.skipSuccessfulRequests, 'skipSuccessfulRequests'),
    skipFailedRequests: readBoolean(given.skipFailedRequests, 'skipFailedRequests'),
    requestWasSuccessful: readFunction(given.requestWasSuccessful, 'requestWasSuccessful'),
    ipv6Subnet,
    quotaUnit: readQuotaUnit(withDefault<unknown>(given.quotaUnit, 'requests')),
    trustProxy: readTrustProxy(withDefault<unknown>(given.trustProxy, false)),
  }
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
