import { RateLimitOptionsError } from '../errors.js'
import { lastKeyMemo, partitionKey } from '../hash.js'
import type { ConsumeOptions } from '../limiter-options.js'
import type { Policy } from '../policy.js'
import type { RateLimitResult } from '../result.js'
import { describe } from '../validate.js'
import { type ClientAddress, defaultClientKey } from './client-ip.js'
import { type HeaderLines, legacyHeaders, retryAfterSeconds, standardHeaders } from './headers.js'
import type { Awaitable, HttpRateLimitOptions, ResolvedHttpOptions, TrustProxyOption } from './options.js'
import { bannedProblem, deniedBody, quotaExceededProblem, type Refusal, refusalBody } from './refusal.js'
import { isThenable, keyOfGenerated } from './request-key.js'
import { type AdapterOptionSpec, resolveHttpOptions } from './resolve-options.js'

/** What an adapter tells the shared flow about its framework. */
export interface AdapterSpec<Res> extends AdapterOptionSpec {
  /** The status of an answered request, for the default `requestWasSuccessful`. */
  readonly statusOf: (response: Res) => number
  /** The one-line fix for the framework's proxy setting, quoted by the proxy warnings. */
  readonly proxyHint: string
}

/** How a request ended without a response to judge: its handler threw, or its client went away first. */
export type RequestFailure = 'failed' | 'aborted'

/** The outcome of one request: its decision, the headers every decided response carries, and any refusal. */
export interface HttpDecision {
  /** The limiter's decision; undefined for a request the deny list refused, which no limiter saw. */
  readonly result: RateLimitResult | undefined
  /** The rate limit headers, `Retry-After` included on a refusal (none for the deny list's). */
  readonly headers: HeaderLines
  /** Set when the request is refused: its status, reason and default body (unused when a `handler` answers). */
  readonly refusal: Refusal | undefined
}

/**
 * The framework-free request flow every adapter maps its framework onto. It resolves the options
 * once; per request the adapter only reads the request, writes the headers and the refusal, and
 * calls `settle` when the response is done.
 *
 * @example
 * ```ts
 * const flow = new RequestFlow(options, { subject: 'rateLimit() (my-framework)', statusOf, proxyHint })
 * const decision = await flow.decide(request, () => ({ ip, forwardedFor, proxyTrust: 'none' }))
 * if (response.headersSent) return // answered meanwhile (a timeout): nothing more to do
 * if (!decision) return next() // skipped, or on the allow list
 * for (const [name, value] of decision.headers) response.setHeader(name, value)
 * if (decision.refusal) return send(decision.refusal.statusCode, decision.refusal.body)
 * response.once('close', () => flow.settle(decision, request, response.writableFinished ? response : 'aborted'))
 * ```
 */
export class RequestFlow<Req, Res, Handler> {
  readonly options: ResolvedHttpOptions<Req, Res, Handler>
  /** Whether `settle` can refund, so an adapter only watches responses when it matters. */
  readonly settles: boolean
  readonly #adapter: AdapterSpec<Res>
  /** `pk` of a client key under the limiter's prefix (draft-8 headers). */
  readonly #partitionKey: (key: string) => string
  /** Whether the limit or the window is a function of the request. */
  readonly #perRequest: boolean
  /** The answer to every request the deny list refuses. */
  readonly #denied: HttpDecision

  constructor(
    options: (HttpRateLimitOptions<Req, Res, Handler> & TrustProxyOption) | undefined,
    adapter: AdapterSpec<Res>,
  ) {
    this.options = resolveHttpOptions(options, adapter)
    this.settles = this.options.skipSuccessfulRequests || this.options.skipFailedRequests
    this.#adapter = adapter
    const { prefix } = this.options.limiter
    this.#partitionKey = lastKeyMemo((key) => `:${partitionKey(prefix, key)}:`)
    this.#perRequest = this.options.limitOf !== undefined || this.options.windowMsOf !== undefined
    const { denyStatusCode: statusCode } = this.options
    const refusal = {
      statusCode,
      body: deniedBody(statusCode),
      reason: 'denied',
      retryAfterSeconds: undefined,
    } as const
    this.#denied = { result: undefined, headers: [], refusal }
  }

  /**
   * Skip, key, the deny and allow lists, cost, decision, headers, hooks and refusal body; undefined
   * when `skip` or the allow list let the request through.
   */
  async decide(request: Req, client: () => ClientAddress): Promise<HttpDecision | undefined> {
    const { skip, allowList, denyList, limiter } = this.options
    if (skip && (await skip(request))) return undefined
    // Key and cost are awaited only when a callback made them promises: awaiting a plain value
    // would still cost a turn of the microtask queue on every request.
    const keyed = this.#keyOf(request, client)
    // Stryker disable next-line ConditionalExpression,StringLiteral: a shortcut: awaiting the plain key gives the same key a turn later
    const key = typeof keyed === 'string' ? keyed : await keyed
    // The deny list first: a key on both lists is refused. Only a true from the allow list lets a
    // request through: a list function that answers anything else leaves it counted.
    if (denyList && (await denyList(request, key))) return this.#denied
    if (allowList && (await allowList(request, key)) === true) return undefined
    const costed = this.#costOf(request)
    // Stryker disable next-line ConditionalExpression,StringLiteral: a shortcut: awaiting the plain cost gives the same cost a turn later
    const cost = typeof costed === 'number' ? costed : await costed
    // The default cost and limits need no options object to build and check.
    // Stryker disable next-line ConditionalExpression: a shortcut: { cost: 1 } decides as no options do
    const call = this.#perRequest ? await this.#callOptions(request, cost) : cost === 1 ? undefined : { cost }
    const result = await limiter.consume(key, call)
    const policies = this.#perRequest ? limiter.policiesFor(call) : limiter.policies
    const headers = this.#headersOf(result, policies, key)
    if (result.allowed) return { result, headers, refusal: undefined }
    this.options.onRefused?.(request, result)
    const retryAfter = retryAfterSeconds(result, policies)
    headers.push(['Retry-After', String(retryAfter)])
    return { result, headers, refusal: await this.#refusalOf(request, result, retryAfter) }
  }

  async #refusalOf(request: Req, result: RateLimitResult, retryAfterSeconds: number): Promise<Refusal> {
    const { banned } = result
    const statusCode = banned ? this.options.banStatusCode : this.options.statusCode
    const problem = () =>
      banned
        ? bannedProblem(statusCode, retryAfterSeconds)
        : quotaExceededProblem(result, statusCode, retryAfterSeconds)
    const body = await refusalBody(this.options.message, request, result, problem)
    return { statusCode, body, reason: banned ? 'banned' : 'limited', retryAfterSeconds }
  }

  /**
   * After the request: refunds as the options say. `ending` is the response, `'failed'` when the
   * request failed without one (the handler threw), or `'aborted'` when the client went away before
   * the response was complete. An aborted request is never refunded: the server did, or still does,
   * the work, and a client that aborts every request must not get more than `limit` handler runs.
   * Never rejects.
   */
  async settle(decision: HttpDecision | undefined, request: Req, ending: Res | RequestFailure): Promise<void> {
    const result = decision?.refusal ? undefined : decision?.result
    if (!result || !this.settles || ending === 'aborted') return
    try {
      const succeeded = ending !== 'failed' && (await this.#wasSuccessful(request, ending as Res))
      if (succeeded ? this.options.skipSuccessfulRequests : this.options.skipFailedRequests)
        await this.options.limiter.refund(result)
    } catch (error) {
      console.error('atomic-ratelimit: could not settle a request after its response', error)
    }
  }

  #keyOf(request: Req, client: () => ClientAddress): string | Promise<string> {
    const { keyGenerator, ipv6Subnet } = this.options
    if (!keyGenerator) return defaultClientKey(client(), ipv6Subnet, this.#adapter.proxyHint)
    // A throw (or a rejection) is the user's own error: it goes to the framework's error handling.
    const generated: unknown = keyGenerator(request)
    return isThenable(generated) ? Promise.resolve(generated).then(keyOfGenerated) : keyOfGenerated(generated)
  }

  /** The call's cost, and its limit and window where they are functions of the request. */
  async #callOptions(request: Req, cost: number): Promise<ConsumeOptions> {
    const { limitOf, windowMsOf } = this.options
    const limit = limitOf && (await limitOf(request))
    const windowMs = windowMsOf && (await windowMsOf(request))
    // Stryker disable next-line ConditionalExpression: a shortcut: a limit or window given as undefined reads as none given
    return { cost, ...(limit === undefined ? {} : { limit }), ...(windowMs === undefined ? {} : { windowMs }) }
  }

  #costOf(request: Req): number | Promise<number> {
    const { cost } = this.options
    return typeof cost === 'number' ? cost : this.#computedCost(cost, request)
  }

  async #computedCost(cost: (request: Req) => Awaitable<number>, request: Req): Promise<number> {
    const units = await cost(request)
    if (Number.isSafeInteger(units) && units >= 0) return units
    throw new RateLimitOptionsError(`Expected \`cost\` to return a non-negative integer, got ${describe(units)}`)
  }

  #headersOf(result: RateLimitResult, policies: readonly Policy[], key: string): HeaderLines {
    const { standardHeaders: draft, quotaUnit } = this.options
    const headers: HeaderLines = []
    if (draft) {
      // Stryker disable next-line ConditionalExpression: a shortcut: draft-7 headers name no partition key, so making one only costs time
      const partitionKey = draft === 'draft-8' ? this.#partitionKey(key) : undefined
      headers.push(...standardHeaders[draft]({ result, policies, partitionKey, quotaUnit }))
    }
    if (this.options.legacyHeaders) headers.push(...legacyHeaders(result))
    return headers
  }

  async #wasSuccessful(request: Req, response: Res): Promise<boolean> {
    const { requestWasSuccessful } = this.options
    if (requestWasSuccessful) return (await requestWasSuccessful(request, response)) === true
    return this.#adapter.statusOf(response) < 400
  }
}
