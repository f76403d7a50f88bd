import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RateLimitResult } from '../../src/index.js'
import type { HeaderLabels } from './params.js'

/** The peer's default refusal: an Error Fastify's error handler answers as `{ statusCode, error, message }`. */
export function defaultError(_request: FastifyRequest, context: { statusCode: number; after: string }): Error {
  return Object.assign(new Error(`Rate limit exceeded, retry in ${context.after}`), { statusCode: context.statusCode })
}

/** Milliseconds until the window ends (let through) or the client may retry (refused). */
export function ttlOf(result: RateLimitResult): number {
  if (result.allowed) return result.resetAfterMs
  return Number.isFinite(result.retryAfterMs) ? result.retryAfterMs : result.resetAfterMs
}

/** Writes the headers of `labels` that `toggles` turn on: limit, remaining, reset and, on a refusal, retry-after (seconds). */
export function writeHeaders(
  reply: FastifyReply,
  labels: HeaderLabels,
  toggles: Readonly<Record<string, boolean | undefined>>,
  { limit, remaining }: { limit: number; remaining: number },
  ttl: number,
  refused: boolean,
): void {
  const seconds = Math.ceil(ttl / 1000)
  const values: [string, number][] = [
    [labels.limit, limit],
    [labels.remaining, remaining],
    [labels.reset, seconds],
  ]
  if (refused) values.push([labels.retryAfter, seconds])
  for (const [name, value] of values) if (toggles[name]) reply.header(name, value)
}
