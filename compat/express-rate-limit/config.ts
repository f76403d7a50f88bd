// express-rate-limit's options with its defaults applied, once, when the middleware is made: what
// its `handler` receives as `optionsUsed` and its store's `init` as options.
import type { Request, Response } from 'express'
import { fixedWindow, type Policy, RateLimitOptionsError } from '../../src/index.js'
import type { DraftHeadersVersion, Logger, Options, RateLimitExceededEventHandler } from './types.js'

/** The options as given, without the ones set to `undefined` (which mean "the default"). */
export type GivenOptions = Partial<Options> & Record<string, unknown>

/** The options with every default applied; `standardHeaders` read as a draft, or false for none. */
export interface ResolvedOptions extends Options {
  readonly standardHeaders: DraftHeadersVersion | false
}

const DEFAULT_MESSAGE = 'Too many requests, please try again later.'

/** express-rate-limit's default `handler`: the status, then `message` (a function of the request, or a value). */
const sendMessage: RateLimitExceededEventHandler = async function sendMessage(request, response, _next, options) {
  response.status(options.statusCode)
  const { message } = options
  const body = typeof message === 'function' ? await message(request, response) : message
  if (!response.writableEnded) response.send(body)
}

/**
 * The options with express-rate-limit's defaults: a window of a minute, a limit of 5 (`max` when
 * `limit` is not given), legacy headers on, standard headers off (`true` is draft-6), 429 with
 * its message. `store`, `validate` and `logger` are the ones the middleware uses.
 */
export function resolveOptions(
  given: GivenOptions,
  used: Pick<Options, 'store' | 'validate' | 'logger' | 'keyGenerator'>,
): ResolvedOptions {
  const limit = given.limit ?? given.max ?? 5
  if (typeof limit !== 'function' && !(Number.isSafeInteger(limit) && limit >= 0))
    throw new RateLimitOptionsError(
      `Expected \`limit\` to be a non-negative integer or a function, got ${String(limit)}`,
    )
  const standardHeaders = given.standardHeaders === true ? 'draft-6' : (given.standardHeaders ?? false)
  return {
    windowMs: 60_000,
    message: DEFAULT_MESSAGE,
    statusCode: 429,
    legacyHeaders: given.headers ?? true,
    requestPropertyName: 'rateLimit',
    skipFailedRequests: false,
    skipSuccessfulRequests: false,
    requestWasSuccessful: (_request: Request, response: Response) => response.statusCode < 400,
    skip: () => false,
    ipv6Subnet: 56,
    handler: sendMessage,
    passOnStoreError: false,
    ...given,
    limit,
    keyGenerator: given.keyGenerator ?? used.keyGenerator,
    // An unsupported draft sends no standard headers, as in express-rate-limit (which logs it).
    standardHeaders: isDraft(standardHeaders) ? standardHeaders : false,
    store: used.store,
    validate: used.validate,
    logger: used.logger,
  }
}

function isDraft(value: unknown): value is DraftHeadersVersion {
  return value === 'draft-6' || value === 'draft-7' || value === 'draft-8'
}

/** The default `identifier` of these options. */
function identifierOf(options: Pick<GivenOptions, 'windowMs'>, limit: Options['limit']): string {
  return defaultIdentifier(typeof limit === 'number' ? limit : 'limit', options.windowMs ?? 60_000)
}

/** The default `identifier`, as express-rate-limit names a policy: `5-in-1min`, `100-in-15min`, `8-in-2days`. */
export function defaultIdentifier(limit: number | string, windowMs: number): string {
  const seconds = windowMs / 1000
  const minutes = seconds / 60
  const hours = minutes / 60
  const days = hours / 24
  let window = `${days}day${days > 1 ? 's' : ''}`
  if (seconds < 60) window = `${seconds}sec`
  else if (minutes < 60) window = `${minutes}min`
  else if (hours < 24) window = `${hours}hr${hours > 1 ? 's' : ''}`
  return `${limit}-in-${window}`
}

/**
 * The policy of the middleware: a fixed window opened by each client's first request, as
 * express-rate-limit's stores count, named by `identifier` (its name in the draft-8 headers, and in
 * the store's keys). A `limit` of 0 or a function of the request is decided per request: the
 * policy's own limit is then a placeholder.
 */
export function policyOf(options: ResolvedOptions): Policy {
  const { limit, windowMs } = options
  const name = options.identifier ?? identifierOf(options, limit)
  if (typeof name !== 'string')
    throw new RateLimitOptionsError(
      'Expected `identifier` to be a string: it names the policy, so its quota in the store, and cannot change per request',
    )
  const fixedLimit = typeof limit === 'number' && limit > 0 ? limit : 1
  try {
    return fixedWindow({ limit: fixedLimit, windowMs, anchor: 'first-request', name })
  } catch (error) {
    // The policy's name is the `identifier`: the error names that option.
    if (error instanceof RateLimitOptionsError && error.message.includes('`name`'))
      throw new RateLimitOptionsError(error.message.replace('`name`', '`identifier`'))
    throw error
  }
}

/** The logger, checked: an object with `error` and `warn` functions. */
export function readLogger(logger: unknown, fallback: Logger): Logger {
  if (logger === undefined) return fallback
  const candidate = logger as Partial<Logger> | null
  if (typeof candidate?.error === 'function' && typeof candidate.warn === 'function') return candidate as Logger
  throw new RateLimitOptionsError('Expected `logger` to be an object with `error` and `warn` functions')
}
