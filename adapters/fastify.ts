import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { ClientAddress } from '../src/http/client-ip.js'
import { type HttpDecision, RequestFlow } from '../src/http/flow.js'
import type { HttpRateLimitOptions } from '../src/http/options.js'
import { trustsEveryHop } from '../src/http/proxy-trust.js'
import type { RateLimitResult } from '../src/result.js'

/**
 * Answers a refused request; the status and rate limit headers are already set on `reply`. What it
 * returns is sent as the body unless it sent a reply itself.
 */
export type FastifyRateLimitHandler = (request: FastifyRequest, reply: FastifyReply, result: RateLimitResult) => unknown

/** Options of the Fastify plugin: the shared HTTP options, with Fastify's `request` and `reply`. */
export interface FastifyRateLimitOptions
  extends HttpRateLimitOptions<FastifyRequest, FastifyReply, FastifyRateLimitHandler> {}

declare module 'fastify' {
  interface FastifyRequest {
    /** The rate limit decision for this request, set by atomic-ratelimit's plugin. */
    rateLimit: RateLimitResult | undefined
  }
}

/**
 * A Fastify 5 plugin that rate limits each client, by default by `request.ip` as the server's
 * `trustProxy` option resolves it, in the scope it is registered in (the whole app, or one
 * encapsulated plugin's routes). Sets the RateLimit headers on every decided response, refuses with
 * 429 and `Retry-After`, and exposes the decision as `request.rateLimit`.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify'
 * import { rateLimit } from 'atomic-ratelimit/fastify'
 *
 * const app = Fastify({ trustProxy: '10.0.0.0/8' }) // behind load balancers in 10.0.0.0/8
 * await app.register(rateLimit()) // 100 requests per minute per client IP
 * app.get('/', async (request) => `${request.rateLimit?.remaining} left`)
 * ```
 */
export function rateLimit(options?: FastifyRateLimitOptions): FastifyPluginAsync {
  const flow = new RequestFlow<FastifyRequest, FastifyReply, FastifyRateLimitHandler>(options, {
    subject: 'rateLimit() (atomic-ratelimit/fastify)',
    statusOf: (reply) => reply.statusCode,
    proxyHint: "Fastify({ trustProxy: '<the proxy address or subnet>' })",
  })
  const { handler } = flow.options
  const answered = new WeakMap<FastifyRequest, HttpDecision>()

  async function rateLimitOnRequest(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const decision = await flow.decide(request, () => clientOf(request))
    // Answered while the store decided (another hook's timeout): Fastify goes no further, nor do we.
    if (!decision || reply.sent) return undefined
    request.rateLimit = decision.result
    for (const [name, value] of decision.headers) reply.header(name, value)
    const { refusal } = decision
    if (!refusal) {
      if (flow.settles) answered.set(request, decision)
      return undefined
    }
    reply.code(refusal.statusCode)
    if (!handler) return reply.type(refusal.body.contentType).send(refusal.body.text)
    const payload = await handler(request, reply, decision.result)
    return reply.sent ? reply : reply.send(payload)
  }

  async function rateLimitPlugin(fastify: Parameters<FastifyPluginAsync>[0]): Promise<void> {
    if (!fastify.hasRequestDecorator('rateLimit')) fastify.decorateRequest('rateLimit', undefined)
    fastify.addHook('onRequest', rateLimitOnRequest)
    if (flow.settles)
      fastify.addHook('onResponse', async function rateLimitOnResponse(request, reply) {
        await flow.settle(answered.get(request), request, reply)
      })
  }
  // Like fastify-plugin: the hooks apply to the scope that registers the plugin, not a child of it.
  return Object.assign(rateLimitPlugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: 'atomic-ratelimit',
  })
}

function clientOf(request: FastifyRequest): ClientAddress {
  const header = request.headers['x-forwarded-for']
  const forwardedFor = Array.isArray(header) ? header.join(', ') : header
  // Fastify defines `ips` only under `trustProxy`: the socket peer, then every address it believed,
  // the client last (what `request.ip` reads again).
  const ips = request.ips
  if (ips === undefined) return { ip: request.ip, forwardedFor, proxyTrust: 'none' }
  const ip = ips[ips.length - 1]
  if (trustsEveryHop(Object.getPrototypeOf(request), (chain) => resolvedClient(request, chain) === chain.at(-1)))
    return { ip, forwardedFor, proxyTrust: 'all' }
  // Under a trust list that does not name the peer (or a hop count, which Fastify 5.12.1 and later
  // ignore), the peer's X-Forwarded-For went unread: as if no proxy were trusted.
  return { ip, forwardedFor, proxyTrust: forwardedFor === undefined || ips.length > 1 ? 'some' : 'none' }
}

/**
 * The client Fastify's `request.ip` resolves for a request from `chain[0]` whose X-Forwarded-For
 * lists the rest from the right. Fastify keeps its `trustProxy` setting to itself (`initialConfig`
 * leaves it out), so the server's own getter answers for a made-up request in place of `raw`.
 */
function resolvedClient(request: FastifyRequest, chain: readonly string[]): string | undefined {
  const raw = {
    headers: { 'x-forwarded-for': chain.slice(1).reverse().join(', ') },
    socket: { remoteAddress: chain[0] },
  }
  const probe: FastifyRequest = Object.create(Object.getPrototypeOf(request), { raw: { value: raw } })
  return probe.ip
}
