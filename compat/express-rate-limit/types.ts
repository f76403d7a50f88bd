// express-rate-limit 8's public types, under the names it exports them, so code typed against it
// compiles unchanged against atomic-ratelimit/compat/express-rate-limit.
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import type { Store as NativeStore } from '../../src/index.js'
import type { HitCount, HitCounter, LegacyHitCounter } from '../shared/peer-store.js'

/** A function of the request and response giving a value, sync or async (`limit`, `message`, `skip`...). */
export type ValueDeterminingMiddleware<T> = (request: Request, response: Response) => T | Promise<T>

/** Logs an error or a warning, with an optional message. */
export type LoggerFn = (error: unknown, message?: string) => void

/** Where the middleware logs store errors and failed validation checks. */
export interface Logger {
  error: LoggerFn
  warn: LoggerFn
}

/** Answers a refused request: `optionsUsed` carries the resolved options (`statusCode`, `message`...). */
export type RateLimitExceededEventHandler = (
  request: Request,
  response: Response,
  next: NextFunction,
  optionsUsed: Options,
) => void

/** Deprecated in express-rate-limit 6 and removed in 7: accepted, warned about, never called. */
export type RateLimitReachedEventHandler = (request: Request, response: Response, optionsUsed: Options) => void

/** A client's hit count and when it resets, as a store answers. */
export interface ClientRateLimitInfo extends HitCount {
  readonly totalHits: number
  readonly resetTime: Date | undefined
}

/** What a store's `increment` resolves to. */
export type IncrementResponse = ClientRateLimitInfo

/** A client's hits and the end of its window, as express-rate-limit's MemoryStore keeps them. */
export interface Client {
  totalHits: number
  resetTime: Date
}

/** The callback of a legacy store's `incr`. */
export type IncrementCallback = (error: Error | undefined, totalHits: number, resetTime: Date | undefined) => void

/** express-rate-limit's store interface: a hit counter. Our own stores (`MemoryStore`, `RedisStore`) are taken too. */
export type Store = HitCounter<Options>

/** The store interface of express-rate-limit 5 and older. @deprecated implement `Store` */
export type LegacyStore = LegacyHitCounter

/** Which draft of the IETF RateLimit header fields `standardHeaders` names. */
export type DraftHeadersVersion = 'draft-6' | 'draft-7' | 'draft-8'

/** The validation checks, by name, and `default` for the ones not named. */
export type EnabledValidations = Partial<Record<ValidationName | 'default', boolean>>

/** The names of express-rate-limit's validation checks. */
export type ValidationName =
  | 'ip'
  | 'trustProxy'
  | 'xForwardedForHeader'
  | 'forwardedHeader'
  | 'positiveHits'
  | 'unsharedStore'
  | 'singleCount'
  | 'limit'
  | 'draftPolliHeaders'
  | 'onLimitReached'
  | 'headersDraftVersion'
  | 'headersResetTime'
  | 'knownOptions'
  | 'validationsConfig'
  | 'creationStack'
  | 'ipv6Subnet'
  | 'ipv6SubnetOrKeyGenerator'
  | 'keyGeneratorIpFallback'
  | 'windowMs'

/** The middleware's options, as express-rate-limit documents them; every one is optional in `rateLimit()`. */
export interface Options {
  /** Window length in ms. @default 60_000 */
  windowMs: number
  /** Requests allowed per window, or a function of the request. `0` refuses every request. @default 5 */
  limit: number | ValueDeterminingMiddleware<number>
  /** The refusal's body, as `res.send` takes it, or a function of the request. */
  message: unknown
  /** The refusal's status. @default 429 */
  statusCode: number
  /** Send `X-RateLimit-Limit`, `-Remaining` and `-Reset`. @default true */
  legacyHeaders: boolean
  /** Send the IETF RateLimit header fields of this draft (`true`: draft-6). @default false */
  standardHeaders: boolean | DraftHeadersVersion
  /**
   * The policy's name in the draft-8 headers. @default `<limit>-in-<window>`, such as `5-in-1min`
   * (named when the headers are sent: the options used hold only a given one, as there)
   */
  identifier?: string | ValueDeterminingMiddleware<string>
  /** `Retry-After` of a refusal, in seconds, instead of the time to the window's end. */
  retryAfter?: number | ValueDeterminingMiddleware<number>
  /** The property of `req` the figures go on. @default 'rateLimit' */
  requestPropertyName: string
  /** Give back the hits of failed requests (status >= 400). @default false */
  skipFailedRequests: boolean
  /** Give back the hits of successful requests (status < 400). @default false */
  skipSuccessfulRequests: boolean
  /** Who a request counts for. @default the client IP, IPv6 by its /56 network */
  keyGenerator: ValueDeterminingMiddleware<string>
  /** Prefix length the default key groups IPv6 clients by, a function of the request, or `false` for none. @default 56 */
  ipv6Subnet: number | ValueDeterminingMiddleware<number> | false
  /** Answers a refused request. @default sends `statusCode` and `message` */
  handler: RateLimitExceededEventHandler
  /** Lets a request through uncounted when it returns true. */
  skip: ValueDeterminingMiddleware<boolean>
  /** Whether a request succeeded, for `skipFailedRequests` and `skipSuccessfulRequests`. @default status < 400 */
  requestWasSuccessful: ValueDeterminingMiddleware<boolean>
  /**
   * Where hits are counted: our `MemoryStore` (the default) or `RedisStore`, or a store of
   * express-rate-limit's interface (one typed against express-rate-limit's own `Options` too).
   */
  store: Store | LegacyStore | NativeStore | HitCounter
  /** Turns validation checks on or off, all or by name. @default true */
  validate: boolean | EnabledValidations
  /** @deprecated renamed `legacyHeaders` in express-rate-limit 6 */
  headers?: boolean
  /** @deprecated renamed `limit` in express-rate-limit 7 */
  max?: number | ValueDeterminingMiddleware<number>
  /** Let requests through when the store fails, instead of passing its error to Express. @default false */
  passOnStoreError: boolean
  /** Where errors and warnings are logged. @default the console */
  logger: Logger
}

/** The figures set on `req[requestPropertyName]`. */
export interface RateLimitInfo {
  limit: number
  used: number
  remaining: number
  resetTime: Date | undefined
  key: string
}

/**
 * An Express request with the figures on it. `rateLimit` is named apart: the Express adapter types
 * `req.rateLimit` as its own result, and a declared property wins over an index signature.
 */
export type AugmentedRequest = Request & { rateLimit: RateLimitInfo } & { [key: string]: RateLimitInfo }

/** The middleware, with `resetKey` and `getKey`. */
export type RateLimitRequestHandler = RequestHandler & {
  /** Forgets a client's hits. */
  resetKey: (key: string) => unknown
  /** A client's hits and reset time; undefined when it has none. */
  getKey: (key: string) => Promise<ClientRateLimitInfo | undefined> | ClientRateLimitInfo | undefined
}
