import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { fastifyClientOf } from '../src/http/fastify-client.js'
import { inRegisteringScope } from '../src/http/fastify-plugin.js'
import type { HttpRateLimitOptions } from '../src/http/options.js'
import { RateLimitRefusedError } from '../src/http/refusal.js'
import { RouteFlows } from '../src/http/route-flows.js'
import type { RequestHook } from '../src/http/route-options.js'
import type { RateLimitResult } from '../src/result.js'

export { RateLimitRefusedError } from '../src/http/refusal.js'

/**
 * Answers a refused request; the status and rate limit headers are already set on `reply`. What it
 * returns is sent as the body unless it sent a reply itself.
 */
export type FastifyRateLimitHandler = (request: FastifyRequest, reply: FastifyReply, result: RateLimitResult) => unknown

/** Options of a route's `config.rateLimit` and of `fastify.rateLimit()`: the shared HTTP options and `hook`. */
export interface FastifyRouteRateLimitOptions
  extends HttpRateLimitOptions<FastifyRequest, FastifyReply, FastifyRateLimitHandler> {
  /** The request hook the limiter runs in. @default 'onRequest' */
  readonly hook?: RequestHook
}

/** Options of the Fastify plugin: a route's, and `global`. */
export interface FastifyRateLimitOptions extends FastifyRouteRateLimitOptions {
  /** Limit every route of the scope; false: only the routes with a `config.rateLimit`. @default true */
  readonly global?: boolean
}

/** A request hook that rate limits, as `fastify.rateLimit()` makes one (for `onRequest` or `preHandler`). */
export type FastifyRateLimitHook = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>

declare module 'fastify' {
  interface FastifyRequest {
    /** The rate limit decision for this request, set by atomic-ratelimit's plugin. */
    rateLimit: RateLimitResult | undefined
  }
  /** The shapes a route's `config.rateLimit` may take, by plugin: a drop-in entry adds its peer's. */
  interface FastifyRateLimitRouteConfigs {
    atomicRateLimit: FastifyRouteRateLimitOptions
  }
  interface FastifyContextConfig {
    /** This route's limiter: options over the plugin's, with a quota of its own; false for none. */
    rateLimit?: FastifyRateLimitRouteConfigs[keyof FastifyRateLimitRouteConfigs] | false
  }
  interface FastifyInstance {
    /** A hook that limits the routes it is given to, with the plugin's options overridden by these. */
    rateLimit(options?: FastifyRouteRateLimitOptions): FastifyRateLimitHook
  }
}

type Flows = RouteFlows<FastifyRequest, FastifyReply, FastifyRateLimitHandler>

/**
 * A Fastify 5 plugin that rate limits each client, by default by `request.ip` as the server's
 * `trustProxy` option resolves it, in the scope it is registered in (the whole app, or one
 * encapsulated plugin's routes). A route's `config.rateLimit` gives it a limiter of its own (or
 * `false`, none), `global: false` limits only such routes, and `fastify.rateLimit(options)` makes a
 * hook for any route. Sets the RateLimit headers on every decided response, refuses with 429 and
 * `Retry-After` (through the app's error handler when it set one) and exposes the decision as
 * `request.rateLimit`. Register it (awaited) before the routes, so their options are checked then.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify'
 * import { rateLimit } from 'atomic-ratelimit/fastify'
 *
 * const app = Fastify({ trustProxy: '10.0.0.0/8' }) // behind load balancers in 10.0.0.0/8
 * await app.register(rateLimit()) // 100 requests per minute per client IP
 * app.get('/', async (request) => `${request.rateLimit?.remaining} left`)
 * app.post('/login', { config: { rateLimit: { limit: 5, windowMs: 15 * 60_000 } } }, async () => 'welcome')
 * ```
 */
export function rateLimit(options?: FastifyRateLimitOptions): FastifyPluginAsync {
  const flows: Flows = new RouteFlows(options, {
    subject: 'rateLimit() (atomic-ratelimit/fastify)',
    statusOf: (reply) => reply.statusCode,
    proxyHint: "Fastify({ trustProxy: '<the proxy address or subnet>' })",
  })
  const hookFor = (flow: Flows['scope']) => flows.hookFor(flow, (each) => hookOf(flows, each))
  async function rateLimitScope(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const flow = flows.forRequest(request.routeOptions.config, request.method, request.routeOptions.url)
    return flow && hookFor(flow)(request, reply)
  }
  async function rateLimitPlugin(fastify: Parameters<FastifyPluginAsync>[0]): Promise<void> {
    if (!fastify.hasRequestDecorator('rateLimit')) fastify.decorateRequest('rateLimit', undefined)
    const rateLimitDecorator = (own: FastifyRouteRateLimitOptions = {}) => hookFor(flows.of(own, 'rateLimit()').flow)
    // Typed as the instance's `rateLimit`, whose declaration another module (a drop-in entry) may overload.
    if (!fastify.hasDecorator('rateLimit'))
      fastify.decorate('rateLimit', rateLimitDecorator as FastifyInstance['rateLimit'])
    fastify.addHook('onRoute', (route) => flows.addToRoute(route, hookFor))
    fastify.addHook(flows.placement.hook, rateLimitScope)
    fastify.addHook('onResponse', (request, reply) => flows.settle(request, reply))
  }
  return inRegisteringScope(rateLimitPlugin, 'atomic-ratelimit')
}

/** The hook that decides a request with `flow`: headers, then a refusal through the app's error handler, if it has one. */
function hookOf(flows: Flows, flow: Flows['scope']): FastifyRateLimitHook {
  const { handler, message } = flow.options
  return async function rateLimitHook(request, reply) {
    const decision = await flow.decide(request, () => fastifyClientOf(request))
    // Answered while the store decided (another hook's timeout): Fastify goes no further, nor do we.
    if (!decision || reply.sent) return undefined
    const { result, refusal } = decision
    if (result) request.rateLimit = result
    for (const [name, value] of decision.headers) reply.header(name, value)
    if (!refusal) return flows.keep(request, flow, decision)
    reply.code(refusal.statusCode)
    if (handler && result) {
      const payload = await handler(request, reply, result)
      return reply.sent ? reply : reply.send(payload)
    }
    // An app that set an error handler shapes refusals there; Fastify's own is `defaultErrorHandler`.
    if (message === undefined && request.server.errorHandler.name !== 'defaultErrorHandler')
      throw new RateLimitRefusedError(refusal, result)
    return reply.type(refusal.body.contentType).send(refusal.body.text)
  }
}
