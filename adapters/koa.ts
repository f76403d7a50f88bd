import type { Context, Middleware } from 'koa'
import type { ClientAddress } from '../src/http/client-ip.js'
import { RequestFlow } from '../src/http/flow.js'
import type { HttpRateLimitOptions } from '../src/http/options.js'
import type { RateLimitResult } from '../src/result.js'

/** Answers a refused request; the status and rate limit headers are already set on `ctx`. */
export type KoaRateLimitHandler = (ctx: Context, result: RateLimitResult) => unknown

/** Options of the Koa middleware: the shared HTTP options, with Koa's `ctx` as request and response. */
export interface KoaRateLimitOptions extends HttpRateLimitOptions<Context, Context, KoaRateLimitHandler> {}

/** What the middleware adds to `ctx.state`. */
export interface RateLimitState {
  /** The rate limit decision for this request. */
  rateLimit: RateLimitResult
}

/**
 * Koa middleware (Koa 3 or 2) that rate limits each client, by default by `ctx.ip` as the app's
 * `proxy` and `maxIpsCount` settings resolve it. Sets the RateLimit headers on every decided
 * response, refuses with 429 and `Retry-After`, and exposes the decision as `ctx.state.rateLimit`.
 *
 * @example
 * ```ts
 * import Koa from 'koa'
 * import { rateLimit } from 'atomic-ratelimit/koa'
 *
 * const app = new Koa({ proxy: true, maxIpsCount: 1 }) // behind one load balancer
 * app.use(rateLimit()) // 100 requests per minute per client IP
 * app.use((ctx) => {
 *   ctx.body = `${ctx.state.rateLimit.remaining} left`
 * })
 * ```
 */
export function rateLimit(options?: KoaRateLimitOptions): Middleware<RateLimitState> {
  const flow = new RequestFlow<Context, Context, KoaRateLimitHandler>(options, {
    subject: 'rateLimit() (atomic-ratelimit/koa)',
    statusOf: (ctx) => ctx.status,
    proxyHint: 'new Koa({ proxy: true, maxIpsCount: 1 })',
  })
  const { handler } = flow.options
  return async function rateLimitMiddleware(ctx, next): Promise<void> {
    const decision = await flow.decide(ctx, () => clientOf(ctx))
    // Answered while the store decided (a timeout middleware): the request is over for us too.
    if (ctx.headerSent) return
    if (!decision) return next()
    const { result, refusal } = decision
    if (result) ctx.state.rateLimit = result
    for (const [name, value] of decision.headers) ctx.set(name, value)
    if (refusal) {
      ctx.status = refusal.statusCode
      if (handler && result) await handler(ctx, result)
      else {
        ctx.set('Content-Type', refusal.body.contentType)
        ctx.body = refusal.body.text
      }
      return
    }
    // Stryker disable next-line ConditionalExpression: watching every response only costs time: settle returns at once for a flow that never refunds
    if (!flow.settles) return next()
    let failed = false
    // Settled once the response is done: one that closes unfinished was aborted by its client.
    ctx.res.once('close', () => {
      void flow.settle(decision, ctx, !ctx.res.writableFinished ? 'aborted' : failed ? 'failed' : ctx)
    })
    try {
      await next()
    } catch (error) {
      failed = true
      throw error
    }
  }
}

function clientOf(ctx: Context): ClientAddress {
  const { proxy, maxIpsCount } = ctx.app
  const proxyTrust = !proxy ? 'none' : maxIpsCount > 0 ? 'some' : 'all'
  return { ip: ctx.ip, forwardedFor: ctx.get('X-Forwarded-For'), proxyTrust }
}
