import type { NextFunction, Request, RequestHandler, Response } from 'express'
import type { ClientAddress } from '../src/http/client-ip.js'
import { RequestFlow } from '../src/http/flow.js'
import type { HttpRateLimitOptions } from '../src/http/options.js'
import { trustsEveryHop } from '../src/http/proxy-trust.js'
import type { RateLimitResult } from '../src/result.js'

/** Answers a refused request; the status and rate limit headers are already set on `res`. */
export type ExpressRateLimitHandler = (
  req: Request,
  res: Response,
  next: NextFunction,
  result: RateLimitResult,
) => unknown

/** Options of the Express middleware: the shared HTTP options, with Express's `req` and `res`. */
export interface ExpressRateLimitOptions extends HttpRateLimitOptions<Request, Response, ExpressRateLimitHandler> {}

declare global {
  namespace Express {
    interface Request {
      /** The rate limit decision for this request, set by atomic-ratelimit's middleware. */
      rateLimit?: RateLimitResult
    }
  }
}

/**
 * Express middleware (Express 5 or 4) that rate limits each client, by default by `req.ip` as the
 * app's `trust proxy` setting resolves it. Sets the RateLimit headers on every decided response,
 * refuses with 429 and `Retry-After`, and exposes the decision as `req.rateLimit`.
 *
 * @example
 * ```ts
 * import express from 'express'
 * import { rateLimit } from 'atomic-ratelimit/express'
 *
 * const app = express()
 * app.set('trust proxy', 1) // behind one load balancer
 * app.use(rateLimit()) // 100 requests per minute per client IP
 * app.use('/login', rateLimit({ limit: 5, windowMs: 15 * 60_000, prefix: 'login' }))
 * app.get('/', (req, res) => res.send(`${req.rateLimit?.remaining} left`))
 * ```
 */
export function rateLimit(options?: ExpressRateLimitOptions): RequestHandler {
  const flow = new RequestFlow<Request, Response, ExpressRateLimitHandler>(options, {
    subject: 'rateLimit() (atomic-ratelimit/express)',
    statusOf: (res) => res.statusCode,
    proxyHint: "app.set('trust proxy', 1)",
  })
  const { handler } = flow.options
  return async function rateLimitMiddleware(req, res, next): Promise<void> {
    try {
      const decision = await flow.decide(req, () => clientOf(req))
      // Answered while the store decided (a timeout middleware): the request is over for us too.
      if (res.headersSent) return
      if (!decision) return next()
      const { result, refusal } = decision
      if (result) req.rateLimit = result
      for (const [name, value] of decision.headers) res.setHeader(name, value)
      if (!refusal) {
        // A response that closes unfinished was aborted by its client: see RequestFlow.settle.
        // Stryker disable next-line ConditionalExpression: watching every response only costs time: settle returns at once for a flow that never refunds
        if (flow.settles) res.once('close', () => flow.settle(decision, req, res.writableFinished ? res : 'aborted'))
        return next()
      }
      res.status(refusal.statusCode)
      if (handler && result) {
        await handler(req, res, next, result)
        return
      }
      res.setHeader('Content-Type', refusal.body.contentType)
      res.end(refusal.body.text)
    } catch (error) {
      next(error)
    }
  }
}

function clientOf(req: Request): ClientAddress {
  const forwardedFor = req.get('x-forwarded-for')
  // What Express resolved, also when it trusts no proxy: an app may define req.ip itself.
  return { ip: req.ip, forwardedFor, proxyTrust: proxyTrustOf(req, forwardedFor) }
}

/** How far the app's `trust proxy` setting believed this request's X-Forwarded-For. */
function proxyTrustOf(req: Request, forwardedFor: string | undefined): ClientAddress['proxyTrust'] {
  const setting: unknown = req.app.get('trust proxy')
  // The three settings Express compiles most simply, classed at once; the lines after them class
  // each the same through its compiled function, only slower (each checked by hand).
  // Stryker disable next-line ConditionalExpression: a shortcut: the compiled function of true trusts every hop
  if (setting === true) return 'all'
  // Stryker disable next-line ConditionalExpression: a shortcut: no proxy trusted reads 'none' wherever X-Forwarded-For came
  if (!setting) return 'none'
  // Stryker disable next-line ConditionalExpression,StringLiteral: a shortcut: a hop count trusts the peer and not every hop
  if (typeof setting === 'number') return 'some'
  // Addresses, subnets or a function: Express compiled them into one function of (address, hop).
  const trusts: (address: string | undefined, hop: number) => boolean = req.app.get('trust proxy fn')
  if (trustsEveryHop(trusts, (chain) => chain.slice(0, -1).every((address, hop) => trusts(address, hop)))) return 'all'
  // A peer the setting does not name had its X-Forwarded-For ignored, as if no proxy were trusted.
  return forwardedFor === undefined || trusts(req.socket.remoteAddress, 0) ? 'some' : 'none'
}
