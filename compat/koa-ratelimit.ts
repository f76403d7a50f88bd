import type { Context, Middleware, Next } from 'koa'
import { rateLimit } from '../adapters/koa.js'
import {
  fixedWindow,
  MemoryStore,
  RateLimiter,
  RateLimitOptionsError,
  type RateLimitResult,
  RedisStore,
} from '../src/index.js'
import type { HeaderNames, KoaRatelimitOptions, KoaRatelimitState } from './koa-ratelimit/types.js'
import { durationText } from './shared/duration-text.js'

/** The options, checked, with their defaults. */
interface Settings {
  readonly limiterFor: () => RateLimiter
  readonly max: KoaRatelimitOptions['max']
  readonly id: NonNullable<KoaRatelimitOptions['id']>
  readonly names: Required<HeaderNames> | undefined
  readonly options: KoaRatelimitOptions
}

// koa-ratelimit's types, as the peer's own typings name them: `ratelimit.MiddlewareOptions`.
declare namespace ratelimit {
  /** Options of the middleware. */
  export type MiddlewareOptions = KoaRatelimitOptions
  /** Names of the three rate limit headers. */
  export type HeaderNameOptions = HeaderNames
  /** What `ctx.state.rateLimit` holds after a refusal. */
  export type RateLimitedState = KoaRatelimitState
}

/**
 * koa-ratelimit's middleware, as a drop-in: the same options, headers, bodies and errors, decided
 * by atomic-ratelimit's Koa adapter. Both drivers count in a window opened by a client's first
 * request, in one atomic step (a Lua script on Redis), and a refused request is not counted.
 *
 * @example
 * ```ts
 * import Koa from 'koa'
 * import ratelimit from 'atomic-ratelimit/compat/koa-ratelimit'
 *
 * const app = new Koa()
 * app.use(ratelimit({ driver: 'memory', db: new Map(), duration: 60_000, max: 100 }))
 * ```
 */
function ratelimit(options: KoaRatelimitOptions = {}): Middleware {
  const settings = readSettings(options)
  const ids = new WeakMap<Context, string | number>()
  const middlewares = new WeakMap<RateLimiter, Middleware>()
  const middlewareOf = (limiter: RateLimiter): Middleware => {
    const built = rateLimit({
      limiter,
      ...(typeof settings.max === 'function' && { limit: settings.max }),
      keyGenerator: (ctx) => ids.get(ctx) as string | number,
      standardHeaders: false,
      handler: (ctx, result) => refuse(ctx, result, settings, ids.get(ctx) as string | number),
    })
    middlewares.set(limiter, built)
    return built
  }
  return async function ratelimitMiddleware(ctx: Context, next: Next): Promise<void> {
    const id = await settings.id(ctx)
    const whitelisted = typeof options.whitelist === 'function' && (await options.whitelist(ctx))
    const blacklisted = typeof options.blacklist === 'function' && (await options.blacklist(ctx))
    if (blacklisted) ctx.throw(403, 'Forbidden')
    if (id === false || whitelisted) return next()
    ids.set(ctx, id)
    const limiter = settings.limiterFor()
    const limit = middlewares.get(limiter) ?? middlewareOf(limiter)
    return limit(ctx, () => {
      if (settings.names) setHeaders(ctx, headerValues(settings.names, ctx.state.rateLimit as RateLimitResult))
      return next()
    })
  }
}

function refuse(ctx: Context, result: RateLimitResult, settings: Settings, id: string | number): void {
  const { options, names } = settings
  const headers = names ? headerValues(names, result) : {}
  setHeaders(ctx, headers)
  // Rounded up, as every Retry-After of ours: a client that waits what it is told gets through.
  const after = Math.ceil(result.retryAfterMs / 1000)
  const message =
    options.errorMessage ?? `Rate limit exceeded, retry in ${durationText(result.retryAfterMs, { years: false })}.`
  ctx.body = message
  ctx.set('Retry-After', String(after))
  ctx.state.rateLimit = { after, headers, id, message } satisfies KoaRatelimitState
  ctx.status = options.status ?? 429
  options.onLimited?.(ctx)
  if (options.throw) ctx.throw(ctx.status, message as string, { headers: { ...headers, 'Retry-After': after } })
}

/** The three headers: requests left, the window's end in epoch seconds (rounded up), the limit. */
function headerValues(names: Required<HeaderNames>, result: RateLimitResult): Record<string, number> {
  return {
    [names.remaining]: result.remaining,
    [names.reset]: Math.ceil((result.decidedAtMs + result.resetAfterMs) / 1000),
    [names.total]: result.limit,
  }
}

function setHeaders(ctx: Context, headers: Record<string, number>): void {
  for (const [name, value] of Object.entries(headers)) ctx.set(name, String(value))
}

function readSettings(options: KoaRatelimitOptions): Settings {
  if (typeof options !== 'object' || options === null)
    throw new RateLimitOptionsError('Expected the koa-ratelimit options to be an object')
  const { max = 2500, duration = 3_600_000, namespace = 'limit', headers = {} } = options
  if (typeof max !== 'function' && !(Number.isSafeInteger(max) && max > 0))
    throw new RateLimitOptionsError(`Expected \`max\` to be a positive integer or a function, got ${String(max)}`)
  if (!(Number.isSafeInteger(duration) && duration > 0))
    throw new RateLimitOptionsError(`Expected \`duration\` to be a positive integer of ms, got ${String(duration)}`)
  const policy = fixedWindow({
    limit: typeof max === 'function' ? 1 : max,
    windowMs: duration,
    anchor: 'first-request',
    ...(typeof max === 'function' && { name: 'max' }),
  })
  const limiterOn = (store: MemoryStore | RedisStore) => new RateLimiter({ store, policy, prefix: namespace })
  return {
    limiterFor: limiterSource(options, limiterOn),
    max,
    id: options.id ?? ((ctx) => ctx.ip),
    names: options.disableHeader
      ? undefined
      : {
          remaining: headers.remaining ?? 'X-RateLimit-Remaining',
          reset: headers.reset ?? 'X-RateLimit-Reset',
          total: headers.total ?? 'X-RateLimit-Limit',
        },
    options,
  }
}

/** Where a memory driver's store lives in its `db` Map, so that clearing the Map forgets every count. */
const STORE_ENTRY = Symbol.for('atomic-ratelimit/compat/koa-ratelimit store')

/** RedisStores by client, so that middlewares on one client share its script calls. */
const redisStores = new WeakMap<object, RedisStore>()

/** The limiter of each request: on the driver's store (for a memory `db`, the one it holds now). */
function limiterSource(
  options: KoaRatelimitOptions,
  limiterOn: (store: MemoryStore | RedisStore) => RateLimiter,
): () => RateLimiter {
  const { driver = 'redis', db } = options
  if (driver === 'redis') {
    if (typeof db !== 'object' || db === null || db instanceof Map)
      throw new RateLimitOptionsError("Expected `db` to be a Redis client with driver 'redis'")
    const store = redisStores.get(db) ?? new RedisStore({ client: db })
    redisStores.set(db, store)
    const limiter = limiterOn(store)
    return () => limiter
  }
  if (driver !== 'memory')
    throw new RateLimitOptionsError(`Expected \`driver\` to be 'redis' or 'memory', got ${String(driver)}`)
  if (db !== undefined && !(db instanceof Map))
    throw new RateLimitOptionsError("Expected `db` to be a Map with driver 'memory'")
  const map = db ?? new Map<unknown, unknown>()
  const limiters = new WeakMap<MemoryStore, RateLimiter>()
  return function limiterOfTheMap() {
    let store = map.get(STORE_ENTRY)
    if (!(store instanceof MemoryStore)) {
      store = new MemoryStore()
      map.set(STORE_ENTRY, store)
    }
    let limiter = limiters.get(store as MemoryStore)
    if (!limiter) {
      limiter = limiterOn(store as MemoryStore)
      limiters.set(store as MemoryStore, limiter)
    }
    return limiter
  }
}

export default ratelimit
