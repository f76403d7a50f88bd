import type { Context } from 'koa'
import type { RedisClient } from '../../src/index.js'

/** Names of the three rate limit headers. */
export interface HeaderNames {
  /** Requests left in the window. @default 'X-RateLimit-Remaining' */
  readonly remaining?: string
  /** When the window ends, in seconds since the epoch. @default 'X-RateLimit-Reset' */
  readonly reset?: string
  /** Requests allowed per window. @default 'X-RateLimit-Limit' */
  readonly total?: string
}

/** Options of koa-ratelimit, every one optional but `db` with the Redis driver. */
export interface KoaRatelimitOptions {
  /** Where counts live: `'redis'` (on `db`, a Redis client) or `'memory'` (this process). @default 'redis' */
  readonly driver?: 'redis' | 'memory'
  /** A Redis client (ioredis, node-redis, iovalkey, Valkey GLIDE) for `'redis'`; a Map for `'memory'`, cleared to forget every count. */
  readonly db?: RedisClient | Map<unknown, unknown>
  /** Window length in ms. @default 3_600_000 */
  readonly duration?: number
  /** Requests per window and client: a positive integer, or a function of the request. @default 2500 */
  readonly max?: number | ((ctx: Context) => number | Promise<number>)
  /** The client a request counts for; `false` lets it through unlimited. @default ctx.ip */
  readonly id?: (ctx: Context) => string | number | false | Promise<string | number | false>
  /** Key namespace in the store. @default 'limit' */
  readonly namespace?: string
  /** Names of the rate limit headers. */
  readonly headers?: HeaderNames
  /** Send no rate limit headers (a refusal still sends `Retry-After`). @default false */
  readonly disableHeader?: boolean
  /** Body of a refusal. @default 'Rate limit exceeded, retry in <duration>.' */
  readonly errorMessage?: unknown
  /** True lets the request through unlimited, with no headers. */
  readonly whitelist?: (ctx: Context) => boolean | Promise<boolean>
  /** True refuses the request: `ctx.throw(403)`. */
  readonly blacklist?: (ctx: Context) => boolean | Promise<boolean>
  /** Refuse with `ctx.throw` (the headers on the error's `headers`) instead of answering. @default false */
  readonly throw?: boolean
  /** Called on every refusal, before it is answered or thrown. */
  readonly onLimited?: (ctx: Context) => unknown
  /** Status of a refusal. @default 429 */
  readonly status?: number
}

/** What `ctx.state.rateLimit` holds after a refusal. */
export interface KoaRatelimitState {
  /** Seconds until the client may retry, as `Retry-After` says. */
  readonly after: number
  /** The rate limit headers sent, by name (none with `disableHeader`). */
  readonly headers: Readonly<Record<string, number>>
  /** The client's id. */
  readonly id: string | number
  /** The body sent, or thrown. */
  readonly message: unknown
}
