import type { AlgorithmName } from '../algorithms/by-name.js'
import type { RateLimiter } from '../limiter.js'
import type { BanOptions } from '../penalty.js'
import type { RateLimitResult } from '../result.js'
import type { Store } from '../store.js'
import type { HeadersDraft } from './headers.js'

/** A value, or a promise of it. */
export type Awaitable<T> = T | Promise<T>

/** What a `keyGenerator` returns: a client key as text, or a number (a user id) that stands for its decimal text. */
export type GeneratedKey = string | number | bigint

/** A hook on refusals: what it returns is ignored, and a throw or a rejection is logged, never sent. */
export type RateLimitHook<Req> = (request: Req, result: RateLimitResult) => unknown

/**
 * An allow or deny list: client keys (IP addresses listed as the default key makes them, so
 * `::ffff:1.2.3.4` is `1.2.3.4`), or a function of the request and its key that returns true.
 */
export type AccessList<Req> = readonly string[] | ((request: Req, key: string) => Awaitable<boolean>)

/** A 429 body: text is sent as `text/plain`, an object as JSON. */
export type RateLimitMessage = string | Readonly<Record<string, unknown>>

/**
 * Options every HTTP adapter takes, with the same names, defaults and meaning everywhere. `Req` is
 * what the adapter hands to callbacks (Express `req`, Koa `ctx`, Hono `c`, Fastify `request`, a
 * fetch `Request`), `Res` what `requestWasSuccessful` inspects, `Handler` the adapter's 429 handler.
 */
export interface HttpRateLimitOptions<Req, Res, Handler> {
  /**
   * Units each client may use per window: a positive integer, or a function of the request for plans
   * and tiers (a client's stored use carries over when its limit changes). @default 100
   */
  readonly limit?: number | ((request: Req) => Awaitable<number>)
  /** Window length in milliseconds, or a function of the request. @default 60_000 */
  readonly windowMs?: number | ((request: Req) => Awaitable<number>)
  /** How the window is counted. @default 'fixed-window' */
  readonly algorithm?: AlgorithmName
  /**
   * With the fixed window: `'epoch'` windows end at the same instants for every client,
   * `'first-request'` windows open at each client's first request. @default 'epoch'
   */
  readonly anchor?: 'epoch' | 'first-request'
  /** Where the counts live; share a RedisStore between app instances. @default a new MemoryStore() */
  readonly store?: Store
  /** Key namespace; limiters with the same store, prefix and limits share quota. @default 'rl' */
  readonly prefix?: string
  /** Ban a client refused `afterRefusals` times in a row, as the RateLimiter's `ban`; it is answered `banStatusCode`. */
  readonly ban?: BanOptions
  /** Every refusal keeps the client refused for the window of the policy it broke, from that refusal. @default false */
  readonly continueExceeding?: boolean
  /** Count each client's refusals in a row (`result.refusals`). @default false, true with `onLimitReached` */
  readonly countRefusals?: boolean
  /**
   * A ready RateLimiter (several policies, a clock, store failure settings) instead of the nine
   * options above; only `limit` and `windowMs` as functions of the request may come with it, for a
   * limiter of one policy.
   */
  readonly limiter?: RateLimiter
  /**
   * The client a request counts for: a non-empty string, or a finite number (its decimal text, so
   * `42` and `'42'` are one client). Anything else (`''`, `undefined`, `null`, `false`, NaN, an
   * object) counts under the one shared key `'unknown-client'` and warns once per process
   * (`WARN_RATE_LIMIT_NO_KEY`): never an error, never a free pass. A keyGenerator that throws (or
   * rejects) fails the request through the framework's error handling.
   * @default its IP address, IPv6 grouped by `ipv6Subnet`
   */
  readonly keyGenerator?: (request: Req) => Awaitable<GeneratedKey>
  /** Units a request uses: a non-negative integer, or a function of the request. @default 1 */
  readonly cost?: number | ((request: Req) => Awaitable<number>)
  /** Lets a request through uncounted, with no headers, when it returns true. */
  readonly skip?: (request: Req) => Awaitable<boolean>
  /** Answers a refused request instead of the default body; the rate limit headers are already set. */
  readonly handler?: Handler
  /** Body of the 429 instead of the RFC 9457 problem: text, an object (JSON), or a function of the request. */
  readonly message?: RateLimitMessage | ((request: Req, result: RateLimitResult) => Awaitable<RateLimitMessage>)
  /** Status of a refused request: 400 to 599. @default 429 */
  readonly statusCode?: number
  /** Status of a request refused by a ban: 400 to 599. @default 403 */
  readonly banStatusCode?: number
  /**
   * Called on a client's first refusal since it was last allowed (`result.refusals === 1`): once per
   * client and window, across every process on the store. Needs a limiter that counts refusals.
   */
  readonly onLimitReached?: RateLimitHook<Req>
  /** Called on every refusal, a ban's included (not on a deny list's). */
  readonly onRefusal?: RateLimitHook<Req>
  /** Called when a ban starts, on the refusal that starts it (`result.banned && result.refusals > 0`). */
  readonly onBan?: RateLimitHook<Req>
  /** Keys let through uncounted, with no headers (as `skip`), or a function that returns true for them. */
  readonly allowList?: AccessList<Req>
  /** Keys refused with `denyStatusCode` before the store is asked, or a function that returns true for them. */
  readonly denyList?: AccessList<Req>
  /** Status of a request the deny list refuses: 400 to 599. @default 403 */
  readonly denyStatusCode?: number
  /** Which draft of the IETF RateLimit header fields to send, or false for none. @default 'draft-8' */
  readonly standardHeaders?: HeadersDraft | false
  /** Also send `X-RateLimit-Limit`, `-Remaining` and `-Reset` (epoch seconds). @default false */
  readonly legacyHeaders?: boolean
  /** Give back the units of requests that succeeded, once answered. @default false */
  readonly skipSuccessfulRequests?: boolean
  /**
   * Give back the units of requests that failed (the handler threw, or the status says so), once
   * answered. A request its client aborted is never given back, under this option or the one above:
   * the server did the work. @default false
   */
  readonly skipFailedRequests?: boolean
  /** Whether a request succeeded, for the two options above. @default its status is below 400 */
  readonly requestWasSuccessful?: (request: Req, response: Res) => Awaitable<boolean>
  /** Prefix length by which the default key groups IPv6 clients: 1 to 128. @default 56 */
  readonly ipv6Subnet?: number
  /** Quota unit named in the draft-8 headers (`qu`) when cost does not count requests. @default 'requests' */
  readonly quotaUnit?: string
}

/** The proxy option of adapters whose framework has no proxy setting of its own (Hono, fetch). */
export interface TrustProxyOption {
  /**
   * Proxies in front of the app whose `X-Forwarded-For` entries are believed: a number of hops
   * (1 for one load balancer), `true` for every one (spoofable), `false` for none (the socket peer).
   * @default false
   */
  readonly trustProxy?: boolean | number
}

/** HTTP options, checked, with every default applied. */
export interface ResolvedHttpOptions<Req, Res, Handler> {
  readonly limiter: RateLimiter
  /** The per-request limit, when `limit` is a function. */
  readonly limitOf: ((request: Req) => Awaitable<number>) | undefined
  /** The per-request window, when `windowMs` is a function. */
  readonly windowMsOf: ((request: Req) => Awaitable<number>) | undefined
  readonly keyGenerator: ((request: Req) => Awaitable<GeneratedKey>) | undefined
  readonly cost: number | ((request: Req) => Awaitable<number>)
  readonly skip: ((request: Req) => Awaitable<boolean>) | undefined
  readonly handler: Handler | undefined
  readonly message: HttpRateLimitOptions<Req, Res, Handler>['message']
  readonly statusCode: number
  readonly banStatusCode: number
  /** Runs the hooks on a refusal; undefined when none is given. */
  readonly onRefused: ((request: Req, result: RateLimitResult) => void) | undefined
  readonly allowList: ((request: Req, key: string) => Awaitable<boolean>) | undefined
  readonly denyList: ((request: Req, key: string) => Awaitable<boolean>) | undefined
  readonly denyStatusCode: number
  readonly standardHeaders: HeadersDraft | false
  readonly legacyHeaders: boolean
  readonly skipSuccessfulRequests: boolean
  readonly skipFailedRequests: boolean
  readonly requestWasSuccessful: ((request: Req, response: Res) => Awaitable<boolean>) | undefined
  readonly ipv6Subnet: number
  readonly quotaUnit: string
  readonly trustProxy: boolean | number
}
