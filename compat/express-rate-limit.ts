// atomic-ratelimit/compat/express-rate-limit: express-rate-limit 8's exports, options, defaults,
// callbacks, request property, headers and helper methods, translated onto the Express adapter, so
// switching is changing the import. Decisions go through our limiter; see
// docs/migrating-from-express-rate-limit.md for what differs and why.
import { isIP } from 'node:net'
import type { NextFunction, Request, Response } from 'express'
import { type ExpressRateLimitOptions, rateLimit as expressRateLimit } from '../adapters/express.js'
import { ipKey, MemoryStore, type Store as NativeStore, type RateLimitResult } from '../src/index.js'
import { type GivenOptions, policyOf, readLogger, resolveOptions } from './express-rate-limit/config.js'
import { checkClientIp, checkSingleCount } from './express-rate-limit/request-checks.js'
import { checkLimit, checkOptions, checkStore, subnetFinding } from './express-rate-limit/setup-checks.js'
import { countedIn, countedUnder, peerStoreOf, readStore } from './express-rate-limit/stores.js'
import type {
  Options,
  RateLimitInfo,
  RateLimitRequestHandler,
  ValueDeterminingMiddleware,
} from './express-rate-limit/types.js'
import { consoleLogger, Validations } from './express-rate-limit/validations.js'
import { Exposure, type RequestVariables } from './shared/exposure.js'
import { PeerLimits } from './shared/peer-limits.js'
import { createPeerLimiter, definedOnly, keyHelpersOf } from './shared/peer-request.js'
import { type HitCounter, isNativeStore, peerInfoOf } from './shared/peer-store.js'

export type * from './express-rate-limit/types.js'
export { ChangeWarning, ValidationError } from './express-rate-limit/validations.js'
export { MemoryStore }

/** @deprecated kept because express-rate-limit 8 exports it: one second in ms */
export const SECOND = 1000
/** @deprecated kept because express-rate-limit 8 exports it: one minute in ms */
export const MINUTE = 60 * SECOND
/** @deprecated kept because express-rate-limit 8 exports it: one hour in ms */
export const HOUR = 60 * MINUTE
/** @deprecated kept because express-rate-limit 8 exports it: one day in ms */
export const DAY = 24 * HOUR

/**
 * The key of a client IP, as the default `keyGenerator` makes it: an IPv4 address as it is, the
 * IPv4 address an IPv6 one embeds, any other IPv6 address by its network of `ipv6Subnet` bits
 * (`false`: the whole address). Use it in a `keyGenerator` that falls back to the IP.
 *
 * @example
 * ```ts
 * rateLimit({ keyGenerator: (req) => req.get('x-api-key') ?? ipKeyGenerator(req.ip ?? '') })
 * ```
 */
export function ipKeyGenerator(ip: string, ipv6Subnet: number | false = 56): string {
  return ipKey(ip, ipv6Subnet === false ? 128 : ipv6Subnet)
}

const STORE_ERROR_ALLOWED = 'express-rate-limit: error from store, allowing request without rate-limiting.'

/**
 * express-rate-limit's `rateLimit(options)`: the same options and defaults (5 requests a minute per
 * client IP, legacy `X-RateLimit-*` headers, 429 with its message), decided by atomic-ratelimit.
 *
 * @example
 * ```ts
 * import { rateLimit } from 'atomic-ratelimit/compat/express-rate-limit'
 * app.use(rateLimit({ windowMs: 15 * 60_000, limit: 100, standardHeaders: 'draft-8', legacyHeaders: false }))
 * ```
 */
export function rateLimit(passedOptions?: Partial<Options>): RateLimitRequestHandler {
  const given: GivenOptions = definedOnly(passedOptions ?? {})
  const logger = readLogger(given.logger, consoleLogger)
  const validations = new Validations(given.validate ?? true, logger)
  checkOptions(given, validations)
  const store = readStore(given.store)
  const options = resolveOptions(given, { store, validate: validations.enabled, logger, keyGenerator: defaultKey })
  checkStore(store, validations)
  const peer = isNativeStore(store) ? undefined : peerStoreOf(store, options, validations)
  const { limiter, takeFailure } = createPeerLimiter({
    store: peer ?? (store as NativeStore),
    policy: policyOf(options),
    prefix: 'erl',
    passingOn: options.passOnStoreError ? (error) => logger.error(error, STORE_ERROR_ALLOWED) : undefined,
  })
  const limits = new PeerLimits<Request>(
    options.limit,
    (request) => [request, request.res],
    (limit) => checkLimit(limit, validations),
  )
  const keys = new WeakMap<Request, string>()
  const exposed = new Exposure<Request>(options.requestPropertyName, requestVariables)

  async function defaultKey(request: Request, response: Response): Promise<string> {
    checkClientIp(request, validations)
    const { ip } = request
    // No key: such requests share the adapter's `unknown-client` quota.
    if (ip === undefined) return ''
    let subnet = options.ipv6Subnet
    if (typeof subnet === 'function') subnet = isIP(ip) === 6 ? await subnet(request, response) : 56
    if (typeof options.ipv6Subnet === 'function') validations.run('ipv6Subnet', () => subnetFinding(subnet))
    return ipKeyGenerator(ip, subnet as number | false)
  }

  async function keyOf(request: Request): Promise<string> {
    const key = await options.keyGenerator(request, request.res as Response)
    keys.set(request, key)
    checkSingleCount(request, countedIn(store), `${countedUnder(store, limiter)}${key}`, validations)
    return key
  }

  function infoOf(request: Request, result: RateLimitResult): RateLimitInfo {
    const info = { ...peerInfoOf(result, limits.limitOf(request)), key: keys.get(request) as string }
    // express-rate-limit 6's name for `used`, kept out of sight as it keeps it.
    return Object.defineProperty(info, 'current', { value: info.used, enumerable: false })
  }

  async function answerRefusal(request: Request, response: Response, next: NextFunction, result: RateLimitResult) {
    if (result.degraded && !options.passOnStoreError) return next(takeFailure())
    exposed.set(request, infoOf(request, result))
    // The adapter set the refusal's status; express-rate-limit leaves it to the handler (its default
    // sets `statusCode`), so a handler that calls `next()` passes the request on as it came.
    response.status(200)
    if (!options.legacyHeaders && !options.standardHeaders) response.removeHeader('Retry-After')
    else if (options.retryAfter !== undefined)
      response.setHeader('Retry-After', String(await answerOf(options.retryAfter, request, response)))
    await options.handler(request, response, next, options)
  }

  const adapterOptions: ExpressRateLimitOptions = {
    limiter,
    ...limits.adapterOptions,
    keyGenerator: keyOf,
    ...(given.skip && {
      skip: (request) => (given.skip as ValueDeterminingMiddleware<boolean>)(request, request.res as Response),
    }),
    handler: answerRefusal,
    statusCode: options.statusCode,
    standardHeaders: options.standardHeaders,
    legacyHeaders: options.legacyHeaders,
    skipSuccessfulRequests: options.skipSuccessfulRequests,
    skipFailedRequests: options.skipFailedRequests,
    requestWasSuccessful: options.requestWasSuccessful,
  }
  const limit = expressRateLimit(adapterOptions)
  const middleware = function rateLimitMiddleware(request: Request, response: Response, next: NextFunction) {
    exposed.remember(request)
    return limit(request, response, (error?: unknown) => {
      const result = exposed.decisionOf(request)
      if (result) exposed.set(request, infoOf(request, result))
      next(error)
    })
  }
  const helpers = keyHelpersOf(peer ? (store as HitCounter) : undefined, limiter)
  return Object.assign(middleware, helpers) as RateLimitRequestHandler
}

/** Express requests' own properties. */
const requestVariables: RequestVariables<Request> = {
  read: (request, name) => (request as unknown as Record<string, unknown>)[name],
  write: (request, name, value) => {
    ;(request as unknown as Record<string, unknown>)[name] = value
  },
}

/** An option that is a value or a function of the request and response. */
async function answerOf<T>(
  option: T | ValueDeterminingMiddleware<T>,
  request: Request,
  response: Response,
): Promise<T> {
  return typeof option === 'function' ? (option as ValueDeterminingMiddleware<T>)(request, response) : option
}

export default rateLimit
