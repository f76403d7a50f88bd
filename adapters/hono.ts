import type { Context, MiddlewareHandler } from 'hono'
import type { StatusCode } from 'hono/utils/http-status'
import { type ClientAddress, proxiedClient } from '../src/http/client-ip.js'
import { RequestFlow } from '../src/http/flow.js'
import type { HeaderLines } from '../src/http/headers.js'
import type { HttpRateLimitOptions, TrustProxyOption } from '../src/http/options.js'
import { refusalResponse } from '../src/http/refusal.js'
import { type NodeResponse, nodeResponseIn, peerAddressIn, type ServerEnv } from '../src/http/server-env.js'
import type { RateLimitResult } from '../src/result.js'

/** Answers a refused request with a Response; the rate limit headers are added to it. */
export type HonoRateLimitHandler = (c: Context, result: RateLimitResult) => Response | Promise<Response>

/** Options of the Hono middleware: the shared HTTP options, with Hono's `c`, plus `trustProxy`. */
export interface HonoRateLimitOptions
  extends HttpRateLimitOptions<Context, Context, HonoRateLimitHandler>,
    TrustProxyOption {}

/** The variables the middleware sets: `c.get('rateLimit')`. */
export interface RateLimitVariables {
  /** The rate limit decision for this request. */
  rateLimit: RateLimitResult
}

/** The Hono `Env` of routes behind the middleware: `new Hono<RateLimitEnv>()` types `c.get('rateLimit')`. */
export interface RateLimitEnv {
  Variables: RateLimitVariables
}

/**
 * Hono middleware that rate limits each client, by default by the socket peer (on Node through
 * @hono/node-server, on Bun and on Deno), or by `X-Forwarded-For` as far as `trustProxy` says.
 * Sets the RateLimit headers on every decided response, refuses with 429 and `Retry-After`, and
 * exposes the decision as `c.get('rateLimit')`. On Node the headers of an allowed request go on
 * Node's response (`env.outgoing`), so `c.res.headers` does not list them; elsewhere they go on `c`.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { rateLimit, type RateLimitEnv } from 'atomic-ratelimit/hono'
 *
 * const app = new Hono<RateLimitEnv>()
 * app.use(rateLimit({ trustProxy: 1 })) // 100 requests per minute per client IP, behind one proxy
 * app.get('/', (c) => c.text(`${c.get('rateLimit').remaining} left`))
 * ```
 */
export function rateLimit(options?: HonoRateLimitOptions): MiddlewareHandler<RateLimitEnv> {
  const flow = new RequestFlow<Context, Context, HonoRateLimitHandler>(options, {
    subject: 'rateLimit() (atomic-ratelimit/hono)',
    trustProxy: true,
    statusOf: (c) => c.res.status,
    proxyHint: 'rateLimit({ trustProxy: 1 })',
  })
  const { handler, trustProxy } = flow.options
  return async function rateLimitMiddleware(c, next): Promise<Response | undefined> {
    const client = (): ClientAddress =>
      proxiedClient(peerAddressIn(serverEnv(c), c.req.raw), c.req.header('x-forwarded-for'), trustProxy)
    const decision = await flow.decide(c, client)
    // Answered on Node while the store decided (hono/timeout): the request is over for us too.
    if (serverEnv(c)?.outgoing?.headersSent) return undefined
    if (!decision) {
      await next()
      return undefined
    }
    const { result, refusal } = decision
    if (result) c.set('rateLimit', result)
    if (refusal) {
      c.status(refusal.statusCode as StatusCode)
      c.res = handler && result ? await handler(c, result) : refusalResponse(refusal)
      setHeaders(c, decision.headers)
      return c.res
    }
    const outgoing = nodeResponseIn(serverEnv(c))
    if (outgoing) {
      // On Node, the headers go on Node's own response, which sends them with whatever Response the
      // handler makes (its own headers win). Through c.header, Hono would build a Headers object
      // for every response and @hono/node-server would read it back: about 10 µs a request.
      for (const [name, value] of decision.headers) outgoing.setHeader(name, value)
      await next()
    } else {
      // Set before the handler, they go into the response Hono builds (c.text, c.json): setting them
      // on a built response makes Hono copy it, which cost a third of the throughput.
      setHeaders(c, decision.headers)
      await next()
      // A Response the handler made itself (or the error handler's) does not have them yet.
      if (!hasHeaders(c, decision.headers)) setHeaders(c, decision.headers)
    }
    if (flow.settles) keepAlive(c, flow.settle(decision, c, clientWentAway(c, outgoing) ? 'aborted' : c))
    return undefined
  }
}

/** Whether the client left before the response: Node's response closed unsent, or the request's signal aborted. */
function clientWentAway(c: Context, outgoing: NodeResponse | undefined): boolean {
  return outgoing ? outgoing.destroyed === true : c.req.raw.signal.aborted
}

/** What the server handed the request as its environment (`c.env`). */
function serverEnv(c: Context): ServerEnv | undefined {
  return c.env as ServerEnv | undefined
}

function setHeaders(c: Context, headers: HeaderLines): void {
  for (const [name, value] of headers) c.header(name, value)
}

/** Whether the response carries the first of the headers (they are set together). */
function hasHeaders(c: Context, headers: HeaderLines): boolean {
  const first = headers[0]
  return first === undefined || c.res.headers.get(first[0]) === first[1]
}

/** On Workers, lets the refund finish after the response; elsewhere the promise runs on by itself. */
function keepAlive(c: Context, promise: Promise<void>): void {
  try {
    c.executionCtx.waitUntil(promise)
  } catch {
    // No ExecutionContext outside Workers-like runtimes.
  }
}
