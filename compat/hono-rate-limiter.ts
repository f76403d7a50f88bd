// atomic-ratelimit/compat/hono-rate-limiter: hono-rate-limiter 0.5's exports, options, defaults,
// callbacks, context variables and headers, translated onto the Hono adapter, so switching is
// changing the import. Decisions go through our limiter; see docs/migrating-from-hono-rate-limiter.md
// for what differs and why.
import type { Context, Env, Input, MiddlewareHandler, Next } from 'hono'
import type { StatusCode } from 'hono/utils/http-status'
import { type HonoRateLimitOptions, rateLimit as honoRateLimit } from '../adapters/hono.js'
import { type HeadersDraft, MemoryStore, RateLimitOptionsError, RedisStore } from '../src/index.js'
import { honoLimiterOf } from './hono-rate-limiter/limiter.js'
import type { HonoConfigProps, HonoConfigType, RateLimitExceededEventHandler } from './hono-rate-limiter/types.js'
import { Exposure, type RequestVariables } from './shared/exposure.js'
import { definedOnly } from './shared/peer-request.js'
import { peerInfoOf } from './shared/peer-store.js'

export type * from './hono-rate-limiter/types.js'
export { webSocketLimiter } from './hono-rate-limiter/websocket.js'
export { MemoryStore, RedisStore }

const DEFAULT_MESSAGE = 'Too many requests, please try again later.'

/** hono-rate-limiter's default `handler`: the status, then `message` as text or JSON. */
const sendMessage: RateLimitExceededEventHandler = async function sendMessage(c, _next, options) {
  c.status(options.statusCode)
  const { message } = options
  const body = typeof message === 'function' ? await message(c) : message
  return typeof body === 'string' ? c.text(body) : c.json(body)
}

/**
 * hono-rate-limiter's `rateLimiter(config)`: the same options and defaults (5 requests a minute,
 * draft-6 headers, 429 with its message, the figures in `c.get('rateLimit')`), decided by
 * atomic-ratelimit. `keyGenerator` may be left out: requests then count by client IP.
 *
 * @example
 * ```ts
 * import { rateLimiter } from 'atomic-ratelimit/compat/hono-rate-limiter'
 * app.use(rateLimiter({ windowMs: 15 * 60_000, limit: 100, keyGenerator: (c) => c.req.header('x-api-key') ?? '' }))
 * ```
 */
export function rateLimiter<E extends Env = Env, P extends string = string, I extends Input = Input>(
  config: HonoConfigProps<E, P, I> = {},
): MiddlewareHandler<E, P, I> {
  if ((config as { binding?: unknown }).binding !== undefined)
    throw new RateLimitOptionsError(
      "Expected no `binding`: Cloudflare's rate limiting binding is a limiter of its own, which this one does not wrap",
    )
  const options = configOf(config as unknown as HonoConfigProps)
  const { limiter, takeFailure, limits, helpers } = honoLimiterOf(options, options)
  const exposed = new Exposure<Context>(options.requestPropertyName, contextVariables)
  const nexts = new WeakMap<Context, Next>()

  const expose = (c: Context): void => {
    const result = exposed.decisionOf(c)
    if (!result) return
    exposed.set(c, peerInfoOf(result, limits.limitOf(c)))
    c.set(options.requestStorePropertyName as never, helpers as never)
  }
  const adapterOptions: HonoRateLimitOptions = {
    limiter,
    ...limits.adapterOptions,
    ...(config.keyGenerator && { keyGenerator: options.keyGenerator }),
    ...(config.skip && { skip: options.skip }),
    handler: async (c, result) => {
      if (result.degraded) throw takeFailure()
      expose(c)
      // The adapter set the refusal's status; hono-rate-limiter leaves it to the handler (its default
      // sets `statusCode`), so a handler that calls `next()` passes the request on as it came.
      c.status(200)
      const answer = await options.handler(c, nexts.get(c) as Next, options)
      return answer instanceof Response ? answer : c.res
    },
    statusCode: options.statusCode,
    standardHeaders: draftOf(options.standardHeaders),
    skipSuccessfulRequests: options.skipSuccessfulRequests,
    skipFailedRequests: options.skipFailedRequests,
    requestWasSuccessful: options.requestWasSuccessful,
  }
  const limit = honoRateLimit(adapterOptions)
  return async function rateLimiterMiddleware(c, next) {
    exposed.remember(c)
    nexts.set(c, next)
    const refusal = await limit(c as Context, async () => {
      expose(c)
      await next()
    })
    // hono-rate-limiter sends Retry-After among its standard headers: none when they are off.
    if (refusal && !adapterOptions.standardHeaders) refusal.headers.delete('Retry-After')
    return refusal
  } as MiddlewareHandler<E, P, I>
}

/** The options with hono-rate-limiter's defaults applied: what `handler` and the store's `init` get. */
function configOf(config: HonoConfigProps): HonoConfigType {
  return {
    windowMs: 60_000,
    limit: 5,
    message: DEFAULT_MESSAGE,
    statusCode: 429 as StatusCode,
    standardHeaders: 'draft-6',
    requestPropertyName: 'rateLimit',
    requestStorePropertyName: 'rateLimitStore',
    skipFailedRequests: false,
    skipSuccessfulRequests: false,
    skip: () => false,
    requestWasSuccessful: (c) => c.res.status < 400,
    handler: sendMessage,
    keyGenerator: () => '',
    ...definedOnly(config),
    store: config.store ?? new MemoryStore(),
  }
}

/** The draft of the standard headers: hono-rate-limiter sends draft-6 for any other true value. */
function draftOf(standardHeaders: HonoConfigType['standardHeaders']): HeadersDraft | false {
  if (!standardHeaders) return false
  return standardHeaders === 'draft-7' || standardHeaders === 'draft-8' ? standardHeaders : 'draft-6'
}

/** Hono's context variables. */
const contextVariables: RequestVariables<Context> = {
  read: (c, name) => c.get(name as never),
  write: (c, name, value) => c.set(name as never, value as never),
}
