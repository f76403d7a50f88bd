import type { RateLimitResult } from '../result.js'
import type { Awaitable, RateLimitMessage } from './options.js'

/** The problem type registered by draft-ietf-httpapi-ratelimit-headers for a 429. */
export const QUOTA_EXCEEDED_TYPE = 'https://iana.org/assignments/http-problem-types#quota-exceeded'

/** The problem type of a refusal by a ban: the README section that describes bans over HTTP. */
export const BANNED_TYPE = 'https://www.npmjs.com/package/atomic-ratelimit#penalties-over-http'

/** The problem type of a refusal by the deny list: the README section that describes the lists. */
export const DENIED_TYPE = 'https://www.npmjs.com/package/atomic-ratelimit#allow-and-deny-lists'

/** A response body and its media type. */
export interface ResponseBody {
  readonly contentType: string
  readonly text: string
}

/** Why a request was refused: its policies (or a block of continueExceeding), a ban, or the deny list. */
export type RefusalReason = 'limited' | 'banned' | 'denied'

/** A refused request's status, default body (unused when a `handler` or the error handler answers) and reason. */
export interface Refusal {
  readonly statusCode: number
  readonly body: ResponseBody
  readonly reason: RefusalReason
  /** What `Retry-After` says; undefined for the deny list, which sends none. */
  readonly retryAfterSeconds: number | undefined
}

/**
 * A refusal as an error, for frameworks whose error handler shapes refusals (Fastify's
 * `setErrorHandler`): its `statusCode` is the refusal's status, and the rate limit headers are
 * already on the response. `result` is undefined for a request the deny list refused.
 *
 * @example
 * ```ts
 * app.setErrorHandler((error, request, reply) => {
 *   if (error instanceof RateLimitRefusedError) return reply.code(error.statusCode).send({ error: error.reason })
 *   return reply.send(error)
 * })
 * ```
 */
export class RateLimitRefusedError extends Error {
  /** Stable code for programmatic checks. */
  readonly code = 'ERR_RATE_LIMIT_REFUSED'
  override name = 'RateLimitRefusedError'
  /** The status of the refusal (429 by default, 403 for a ban or the deny list). */
  readonly statusCode: number
  /** Why the request was refused. */
  readonly reason: RefusalReason
  /** What `Retry-After` says; undefined for the deny list, which sends none. */
  readonly retryAfterSeconds: number | undefined

  /**
   * @param refusal the refusal
   * @param result the decision, undefined for a request the deny list refused
   */
  constructor(
    refusal: Refusal,
    readonly result: RateLimitResult | undefined,
  ) {
    super(refusalMessage(refusal.reason, refusal.retryAfterSeconds))
    this.statusCode = refusal.statusCode
    this.reason = refusal.reason
    this.retryAfterSeconds = refusal.retryAfterSeconds
  }
}

function refusalMessage(reason: RefusalReason, retryAfterSeconds: number | undefined): string {
  if (reason === 'denied') return 'This client may not make this request.'
  const what = reason === 'banned' ? 'Banned after too many refused requests' : 'Too many requests'
  return `${what}; retry in ${retryAfterSeconds} s.`
}

/** The default 429 body: an RFC 9457 problem naming every policy the request violated. */
export function quotaExceededProblem(result: RateLimitResult, statusCode: number, retryAfterSeconds: number): object {
  return {
    type: QUOTA_EXCEEDED_TYPE,
    title: 'Quota Exceeded',
    status: statusCode,
    detail: refusalMessage('limited', retryAfterSeconds),
    'violated-policies': result.policies.filter((policy) => !policy.allowed).map((policy) => policy.policy),
  }
}

/** The default body of a refusal by a ban: an RFC 9457 problem that says so, and for how long. */
export function bannedProblem(statusCode: number, retryAfterSeconds: number): object {
  return {
    type: BANNED_TYPE,
    title: 'Banned',
    status: statusCode,
    detail: refusalMessage('banned', retryAfterSeconds),
  }
}

/** The body of a refusal by the deny list, the same for every such request. */
export function deniedBody(statusCode: number): ResponseBody {
  const problem = { type: DENIED_TYPE, title: 'Denied', status: statusCode, detail: refusalMessage('denied', 0) }
  return { contentType: 'application/problem+json', text: JSON.stringify(problem) }
}

/**
 * The body of a refusal: the `message` option (text as `text/plain`, an object as JSON, a function
 * of the request giving either) or, without one, the problem as `application/problem+json`.
 *
 * @example
 * ```ts
 * const { contentType, text } = await refusalBody('Slow down', request, result, () => ({}))
 * ```
 */
export async function refusalBody<Req>(
  message: RateLimitMessage | ((request: Req, result: RateLimitResult) => Awaitable<RateLimitMessage>) | undefined,
  request: Req,
  result: RateLimitResult,
  problem: () => object,
): Promise<ResponseBody> {
  if (message === undefined) return { contentType: 'application/problem+json', text: JSON.stringify(problem()) }
  const body = typeof message === 'function' ? await message(request, result) : message
  if (typeof body === 'string') return { contentType: 'text/plain; charset=utf-8', text: body }
  return { contentType: 'application/json; charset=utf-8', text: JSON.stringify(body) }
}

/** A Web `Response` for a refusal, for the adapters that answer with one (Hono, fetch). */
export function refusalResponse(refusal: { readonly statusCode: number; readonly body: ResponseBody }): Response {
  const { statusCode, body } = refusal
  return new Response(body.text, { status: statusCode, headers: { 'Content-Type': body.contentType } })
}
