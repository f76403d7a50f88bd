import { proxiedClient } from '../src/http/client-ip.js'
import { type HttpDecision, RequestFlow } from '../src/http/flow.js'
import type { HeaderLines } from '../src/http/headers.js'
import type { HttpRateLimitOptions, TrustProxyOption } from '../src/http/options.js'
import { refusalResponse } from '../src/http/refusal.js'
import type { RateLimitResult } from '../src/result.js'

/** Answers a refused request with a Response; the rate limit headers are added to it. */
export type FetchRateLimitHandler = (request: Request, result: RateLimitResult) => Response | Promise<Response>

/** Options of the fetch guard: the shared HTTP options, with Web `Request` and `Response`, plus `trustProxy`. */
export interface FetchRateLimitOptions
  extends HttpRateLimitOptions<Request, Response, FetchRateLimitHandler>,
    TrustProxyOption {}

/** What the runtime knows about the connection, which a `Request` does not carry. */
export interface FetchClientInfo {
  /** The socket peer's address (Deno `info.remoteAddr.hostname`, Bun `server.requestIP(request)?.address`). */
  readonly ip?: string | undefined
}

/** A rate limit guard for Web-standard handlers (edge functions, API gateways, Bun, Deno, `node:http`). */
export interface FetchRateLimit {
  /** Decides the request: the 429 Response (headers included) to send when refused, undefined to go on. */
  (request: Request, client?: FetchClientInfo): Promise<Response | undefined>
  /** The decision the guard made for `request`; undefined when skipped or not seen. */
  resultOf(request: Request): RateLimitResult | undefined
  /** The rate limit headers for the response to `request` (none when skipped). */
  headersOf(request: Request): Headers
  /**
   * Adds the headers to your response and, under skipSuccessful/FailedRequests, settles the quota.
   * A request whose `signal` is aborted (its client went away, on Deno and Bun) is never refunded.
   */
  finish(request: Request, response: Response): Response
  /** Settles the quota of a request that failed without a response (your handler threw); an aborted one is never refunded. */
  fail(request: Request): void
}

/**
 * A guard that rate limits each client of a Web-standard `fetch` handler, by default by the peer
 * address passed as `client.ip`, or by `X-Forwarded-For` as far as `trustProxy` says.
 *
 * @example
 * ```ts
 * import { rateLimit } from 'atomic-ratelimit/fetch'
 *
 * const limit = rateLimit({ limit: 10, windowMs: 60_000 })
 * Deno.serve(async (request, info) => {
 *   const refused = await limit(request, { ip: info.remoteAddr.hostname })
 *   if (refused) return refused
 *   return limit.finish(request, new Response(`${limit.resultOf(request)?.remaining} left`))
 * })
 * ```
 */
export function rateLimit(options?: FetchRateLimitOptions): FetchRateLimit {
  const flow = new RequestFlow<Request, Response, FetchRateLimitHandler>(options, {
    subject: 'rateLimit() (atomic-ratelimit/fetch)',
    trustProxy: true,
    statusOf: (response) => response.status,
    proxyHint: 'rateLimit({ trustProxy: 1 })',
  })
  const { handler, trustProxy } = flow.options
  const decisions = new WeakMap<Request, HttpDecision>()

  async function rateLimitGuard(request: Request, client: FetchClientInfo = {}): Promise<Response | undefined> {
    const forwardedFor = request.headers.get('x-forwarded-for')
    const decision = await flow.decide(request, () => proxiedClient(client.ip, forwardedFor, trustProxy))
    if (!decision) return undefined
    decisions.set(request, decision)
    const { result, refusal } = decision
    if (!refusal) return undefined
    const response = handler && result ? await handler(request, result) : refusalResponse(refusal)
    return withHeaders(response, decision.headers)
  }

  return Object.assign(rateLimitGuard, {
    resultOf: (request: Request) => decisions.get(request)?.result,
    headersOf: (request: Request) => new Headers(decisions.get(request)?.headers),
    finish(request: Request, response: Response): Response {
      const decision = decisions.get(request)
      void flow.settle(decision, request, request.signal.aborted ? 'aborted' : response)
      return decision ? withHeaders(response, decision.headers) : response
    },
    fail(request: Request): void {
      void flow.settle(decisions.get(request), request, request.signal.aborted ? 'aborted' : 'failed')
    },
  })
}

/** Sets the headers, on a copy when the response's headers are immutable (as from `fetch()`). */
function withHeaders(response: Response, headers: HeaderLines): Response {
  let target = response
  try {
    for (const [name, value] of headers) target.headers.set(name, value)
  } catch {
    target = new Response(response.body, response)
    for (const [name, value] of headers) target.headers.set(name, value)
  }
  return target
}
