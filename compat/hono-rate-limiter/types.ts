// hono-rate-limiter 0.5's public types, under the names it exports them, so code typed against it
// compiles unchanged against atomic-ratelimit/compat/hono-rate-limiter.
import type { Context, Env, Input, Next } from 'hono'
import type { StatusCode } from 'hono/utils/http-status'
import type { WSContext } from 'hono/ws'
import type { Store as NativeStore } from '../../src/index.js'
import type { HitCount, HitCounter } from '../shared/peer-store.js'

/** A value or a promise of it. */
export type Promisify<T> = T | Promise<T>

/** A client's hit count and when it resets, as a store answers. */
export interface ClientRateLimitInfo extends HitCount {
  totalHits: number
  resetTime?: Date
}

/** The figures set on the context (`c.get('rateLimit')`). */
export interface RateLimitInfo {
  limit: number
  used: number
  remaining: number
  resetTime: Date | undefined
}

/** Answers a refused request, returning the Response; `next` lets it through instead. */
export type RateLimitExceededEventHandler<E extends Env = Env, P extends string = string, I extends Input = Input> = (
  c: Context<E, P, I>,
  next: Next,
  optionsUsed: HonoConfigType<E, P, I>,
) => unknown

/** hono-rate-limiter's store interface: a hit counter. Our own stores (`MemoryStore`, `RedisStore`) are taken too. */
export type Store<E extends Env = Env, P extends string = string, I extends Input = Input> = HitCounter<
  HonoConfigType<E, P, I>
>

/** The options every limiter of hono-rate-limiter takes. */
export interface CommonConfigType<E extends Env = Env, P extends string = string, I extends Input = Input> {
  /** The refusal's body: text, an object (JSON) or a function of the context. */
  message: string | Record<string, unknown> | ((c: Context<E, P, I>) => Promisify<string | Record<string, unknown>>)
  /** The refusal's status. @default 429 */
  statusCode: StatusCode
  /** Answers a refused request. @default sends `statusCode` and `message` */
  handler: RateLimitExceededEventHandler<E, P, I>
  /** Lets a request through uncounted when it returns true. */
  skip: (c: Context<E, P, I>) => Promisify<boolean>
}

/** The options of `rateLimiter()` with every default applied: what `handler` and the store's `init` get. */
export interface HonoConfigType<E extends Env = Env, P extends string = string, I extends Input = Input>
  extends CommonConfigType<E, P, I> {
  /** Window length in ms. @default 60_000 */
  windowMs: number
  /** Requests allowed per window, or a function of the context. `0` refuses every request. @default 5 */
  limit: number | ((c: Context<E, P, I>) => Promisify<number>)
  /** The IETF RateLimit header fields of this draft (`true`: draft-6), or none. @default 'draft-6' */
  standardHeaders: boolean | 'draft-6' | 'draft-7' | 'draft-8'
  /** The context variable the figures go in. @default 'rateLimit' */
  requestPropertyName: string
  /** The context variable `getKey` and `resetKey` go in. @default 'rateLimitStore' */
  requestStorePropertyName: string
  /** Give back the hits of failed requests (status >= 400). @default false */
  skipFailedRequests: boolean
  /** Give back the hits of successful requests (status < 400). @default false */
  skipSuccessfulRequests: boolean
  /** Whether a request succeeded. @default `c.res.status < 400` */
  requestWasSuccessful: (c: Context<E, P, I>) => Promisify<boolean>
  /**
   * Where hits are counted: our `MemoryStore` (the default) or `RedisStore`, or a store of
   * hono-rate-limiter's interface (one typed against hono-rate-limiter's own options too).
   */
  store: Store<E, P, I> | NativeStore | HitCounter
  /**
   * Who a request counts for. Required by hono-rate-limiter; here it may be left out, for the client
   * IP (the socket peer, see the Hono adapter's `trustProxy`).
   */
  keyGenerator: (c: Context<E, P, I>) => Promisify<string>
}

/** The options `rateLimiter()` takes: every one optional (hono-rate-limiter requires `keyGenerator`). */
export type HonoConfigProps<E extends Env = Env, P extends string = string, I extends Input = Input> = {
  /** Cloudflare's rate limiting binding: not supported, see the migration guide. */
  binding?: never
} & Partial<HonoConfigType<E, P, I>>

/** The options `rateLimiter()` takes. */
export type ConfigProps<E extends Env = Env, P extends string = string, I extends Input = Input> = HonoConfigProps<
  E,
  P,
  I
>

/** The options with every default applied. */
export type ConfigType<E extends Env = Env, P extends string = string, I extends Input = Input> = HonoConfigType<
  E,
  P,
  I
>

/** WebSocket close codes the limiter may close with. */
export type WSStatusCode = 1000 | 1001 | 1002 | 1003 | 1004 | 1005 | 1006 | 1007 | 1008 | 1009 | 1010

/** Answers a refused WebSocket message. @default closes the socket with `statusCode` and `message` */
export type WSRateLimitExceededEventHandler<E extends Env = Env, P extends string = string, I extends Input = Input> = (
  event: unknown,
  ws: WSContext,
  optionsUsed: WSConfigType<E, P, I>,
) => unknown

/** The options of `webSocketLimiter()` with every default applied. */
export interface WSConfigType<E extends Env = Env, P extends string = string, I extends Input = Input>
  extends Omit<
    HonoConfigType<E, P, I>,
    'statusCode' | 'standardHeaders' | 'requestWasSuccessful' | 'handler' | 'skip' | 'message'
  > {
  /** The close reason of a refused message. @default 'Too many requests, please try again later.' */
  message: string
  /** The close code of a refused message. @default 1008 */
  statusCode: WSStatusCode
  /** Answers a refused message. */
  handler: WSRateLimitExceededEventHandler<E, P, I>
  /** Lets a message through uncounted when it returns true. */
  skip: (event: unknown, ws: WSContext) => Promisify<boolean>
}

/** The options `webSocketLimiter()` takes: `keyGenerator` is required (a message has no client address). */
export type WSConfigProps<E extends Env = Env, P extends string = string, I extends Input = Input> = Pick<
  WSConfigType<E, P, I>,
  'keyGenerator'
> &
  Partial<WSConfigType<E, P, I>>
