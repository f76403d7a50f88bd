// The one part of the Fastify adapter that reads Fastify's request beyond the shared flow: which
// client its trustProxy setting resolved. It names only the request properties it reads, so src/
// imports no framework.
import type { ClientAddress } from './client-ip.js'
import { trustsEveryHop } from './proxy-trust.js'

/** What the client address is read from: a Fastify request. */
export interface FastifyRequestLike {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  readonly ip: string
  /** Defined only under `trustProxy`: the socket peer, then every address believed, the client last. */
  readonly ips?: readonly string[] | undefined
}

/**
 * The client address of a Fastify request, as its server's `trustProxy` option resolved it, and how
 * far that setting believed X-Forwarded-For.
 */
export function fastifyClientOf(request: FastifyRequestLike): ClientAddress {
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
function resolvedClient(request: FastifyRequestLike, chain: readonly string[]): string | undefined {
  const raw = {
    headers: { 'x-forwarded-for': chain.slice(1).reverse().join(', ') },
    socket: { remoteAddress: chain[0] },
  }
  const probe: FastifyRequestLike = Object.create(Object.getPrototypeOf(request), { raw: { value: raw } })
  return probe.ip
}
