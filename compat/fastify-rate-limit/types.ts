import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import type { RedisClient } from '../../src/index.js'

/** A value, or a promise of it. */
type Awaitable<T> = T | Promise<T>

/** What the options' callbacks get besides the request: the key `keyGenerator` made for it (`groupId` added). */
export type RequestKey = string | number

/** The hooks a limiter may run in. */
export type RateLimitHook = 'onRequest' | 'preParsing' | 'preValidation' | 'preHandler'

/** What `errorResponseBuilder` is told of a refusal. */
export interface errorResponseBuilderContext {
  /** 429, or 403 for a banned client. */
  statusCode: number
  /** Whether the client is banned (`ban`). */
  ban: boolean
  /** When the client may retry, in words: `'1 minute'`. */
  after: string
  /** The limit. */
  max: number
  /** Milliseconds until the client may retry. */
  ttl: number
}

/** A store of @fastify/rate-limit's own interface: counts a key's hits in its window. */
export interface FastifyRateLimitStore {
  incr(
    key: string,
    callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
    timeWindow: number,
    max: number,
  ): void
  /** Reads a key's count without counting, for `createRateLimit()`'s `{ increment: false }`. */
  read?(
    key: string,
    callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
    timeWindow: number,
    max: number,
  ): void
  child(routeOptions: RateLimitOptions & { routeInfo: RouteOptions | Record<string, never> }): FastifyRateLimitStore
}

/** The class of such a store: made once per registration, with the plugin's resolved options. */
export interface FastifyRateLimitStoreCtor {
  new (options: RateLimitOptions): FastifyRateLimitStore
}

/** Options `createRateLimit()` takes over the plugin's. */
export interface CreateRateLimitOptions {
  /** A store of @fastify/rate-limit's interface (the plugin's only: a route or check keeps the plugin's). */
  store?: FastifyRateLimitStoreCtor
  /** Let a request through when the store fails; false passes the store's error on. @default false */
  skipOnError?: boolean
  /** Requests per window: a number, or `(request, key) => number`, sync or async. @default 1000 */
  max?: number | ((request: FastifyRequest, key: RequestKey) => Awaitable<number>)
  /** Window length: ms, a duration such as `'1 minute'`, or `(request, key) => ms`. @default 60_000 */
  timeWindow?: number | string | ((request: FastifyRequest, key: RequestKey) => Awaitable<number>)
  /** Keys never limited, or `(request, key) => boolean`, sync or async. */
  allowList?: readonly RequestKey[] | ((request: FastifyRequest, key: RequestKey) => Awaitable<boolean>)
  /** The client a request counts for. @default its IP address, IPv6 by its /64 (`ipv6Subnet`) */
  keyGenerator?: (request: FastifyRequest) => Awaitable<RequestKey>
  /** Prefix length the default key groups IPv6 clients by, 0 to 128. @default 64 */
  ipv6Subnet?: number
  /** Refusals answered 429 before a client is refused 403 (0: at once). @default none */
  ban?: number
}

/** Options of a route's `config.rateLimit` and of `fastify.rateLimit()`. */
export interface RateLimitOptions extends CreateRateLimitOptions {
  /** The hook the limiter runs in. @default 'onRequest' */
  hook?: RateLimitHook
  /** Most clients the memory store holds (the plugin's only). @default 100_000 */
  cache?: number
  /** Each refusal keeps the client refused for a whole window from then. @default false */
  continueExceeding?: boolean
  /** Called on each banned request. */
  onBanReach?: (request: FastifyRequest, key: RequestKey) => void
  /** Routes with the same group share one quota. */
  groupId?: string
  /** The error thrown to Fastify's error handling on a refusal. @default an Error, 'Rate limit exceeded, retry in <after>' */
  errorResponseBuilder?: (request: FastifyRequest, context: errorResponseBuilderContext) => object
  /** Send `ratelimit-limit`, `-remaining`, `-reset` instead of the `x-ratelimit-` ones. @default false */
  enableDraftSpec?: boolean
  /** Called on each request that is let through. */
  onExceeding?: (request: FastifyRequest, key: RequestKey) => void
  /** Called on each refused request. */
  onExceeded?: (request: FastifyRequest, key: RequestKey) => void
  /** Keep a refused client out for a window from each refusal (as `continueExceeding`). @default false */
  exponentialBackoff?: boolean
}

/** Which headers a response carries: each one on (the default) or off. */
export type HeaderToggles = Readonly<Record<string, boolean | undefined>>

/** Options of the plugin. */
export interface RateLimitPluginOptions extends RateLimitOptions {
  /** Limit every route of the scope; false: only routes with a `config.rateLimit`. @default true */
  global?: boolean
  /** A Redis client (ioredis, node-redis, iovalkey, Valkey GLIDE): the counts every instance shares. */
  redis?: RedisClient
  /** Key namespace in the store. @default 'fastify-rate-limit-' */
  nameSpace?: string
  /** Headers of a refusal, each on or off. */
  addHeaders?: HeaderToggles
  /** Headers of a request let through, each on or off. */
  addHeadersOnExceeding?: HeaderToggles
}

/** What `createRateLimit()`'s check tells of a request. */
export type RateLimitCheck =
  | { isAllowed: true; key: RequestKey }
  | {
      isAllowed: false
      key: RequestKey
      max: number
      timeWindow: number
      remaining: number
      ttl: number
      ttlInSeconds: number
      isExceeded: boolean
      isBanned: boolean
    }

/** A request hook that rate limits, as `fastify.rateLimit()` makes one. */
export type RateLimitRequestHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>
