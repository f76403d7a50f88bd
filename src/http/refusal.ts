import type { RateLimitResult } from '../result.js'
import type { Awaitable, RateLimitMessage } from './options.js'

/** The problem type registered by draft-ietf-httpapi-ratelimit-headers for a 429. */
export const QUOTA_EXCEEDED_TYPE = 'https://iana.org/assignments/http-problem-types#quota-exceeded'

/** A response body and its media type. */
export interface ResponseBody {
  readonly contentType: string
  readonly text: string
}

/** The default 429 body: an RFC 9457 problem naming every policy the request violated. */
export function quotaExceededProblem(result: RateLimitResult, statusCode: number, retryAfterSeconds: number): object {
  return {
    type: QUOTA_EXCEEDED_TYPE,
    title: 'Quota Exceeded',
    status: statusCode,
    detail: `Too many requests; retry in ${retryAfterSeconds} s.`,
    'violated-policies': result.policies.filter((policy) => !policy.allowed).map((policy) => policy.policy),
  }
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
