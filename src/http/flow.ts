import { RateLimitOptionsError } from '../errors.js'
import { lastKeyMemo, partitionKey } from '../hash.js'
import type { ConsumeOptions } from '../limiter-options.js'
import type { Policy } from '../policy.js'
import type { RateLimitResult } from '../result.js'
import { describe } from '../validate.js'
import { type ClientAddress, defaultClientKey, UNKNOWN_CLIENT_KEY } from './client-ip.js'
import { type HeaderLines, legacyHeaders, retryAfterSeconds, standardHeaders } from './headers.js'
import type { Awaitable, HttpRateLimitOptions, ResolvedHttpOptions, TrustProxyOption } from './options.js'
import { quotaExceededProblem, type ResponseBody, refusalBody } from './refusal.js'
import { type AdapterOptionSpec, resolveHttpOptions } from './resolve-options.js'
import { WARNING_CODES, warnOnce } from './warnings.js'

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
  readonly result: RateLimitResult
  /** The rate limit headers, `Retry-After` included on a refusal. */
  readonly headers: HeaderLines
  /** Set when the request is refused: its status and default body (unused when a `handler` answers). */
  readonly refusal: { readonly statusCode: number; readonly body: ResponseBody } | undefined
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
 * if (!decision) return next() // skipped
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
  }

  /** Skip, key, cost, decision, headers and refusal body; undefined when `skip` let the request through. */
  async decide(request: Req, client: () => ClientAddress): Promise<HttpDecision | undefined> {
    const { skip, limiter, statusCode, message } = this.options
    if (skip && (await skip(request))) return undefined
    // Key and cost are awaited only when a callback made them promises: awaiting a plain value
    // would still cost a turn of the microtask queue on every request.
    const keyed = this.#keyOf(request, client)
    const key = typeof keyed === 'string' ? keyed : await keyed
    const costed = this.#costOf(request)
    const cost = typeof costed === 'number' ? costed : await costed
    // The default cost and limits need no options object to build and check.
    const call = this.#perRequest ? await this.#callOptions(request, cost) : cost === 1 ? undefined : { cost }
    const result = await limiter.consume(key, call)
    const policies = this.#perRequest ? limiter.policiesFor(call) : limiter.policies
    const headers = this.#headersOf(result, policies, key)
    if (result.allowed) return { result, headers, refusal: undefined }
    const retryAfter = retryAfterSeconds(result, policies)
    headers.push(['Retry-After', String(retryAfter)])
    const problem = () => quotaExceededProblem(result, statusCode, retryAfter)
    return { result, headers, refusal: { statusCode, body: await refusalBody(message, request, result, problem) } }
  }

  /**
   * After the request: refunds as the options say. `ending` is the response, `'failed'` when the
   * request failed without one (the handler threw), or `'aborted'` when the client went away before
   * the response was complete. An aborted request is never refunded: the server did, or still does,
   * the work, and a client that aborts every request must not get more than `limit` handler runs.
   * Never rejects.
   */
  async settle(decision: HttpDecision | undefined, request: Req, ending: Res | RequestFailure): Promise<void> {
    if (!decision || decision.refusal || !this.settles || ending === 'aborted') return
    try {
      const succeeded = ending !== 'failed' && (await this.#wasSuccessful(request, ending as Res))
      if (succeeded ? this.options.skipSuccessfulRequests : this.options.skipFailedRequests)
        await this.options.limiter.refund(decision.result)
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

/**
 * The key a `keyGenerator`'s answer stands for: a non-empty string as it is, a finite number or a
 * bigint as its decimal text, and anything else (`''`, `undefined`, `null`, `false`, NaN, an
 * object) the one fallback key {@link UNKNOWN_CLIENT_KEY}, with a warning once per process. Such a
 * request still counts, under a quota all of them share: no 500 for the client, no free pass.
 */
function keyOfGenerated(generated: unknown): string {
  if (typeof generated === 'string' && generated.length > 0) return generated
  if ((typeof generated === 'number' && Number.isFinite(generated)) || typeof generated === 'bigint')
    return String(generated)
  warnOnce(
    WARNING_CODES.noKey,
    `A keyGenerator returned ${describe(generated)}, which is not a key, so such requests share one quota under the ` +
      `key "${UNKNOWN_CLIENT_KEY}". Return a non-empty string or a number for every request, or \`skip\` the ` +
      'requests that have no client to count.',
  )
  return UNKNOWN_CLIENT_KEY
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function'
}
