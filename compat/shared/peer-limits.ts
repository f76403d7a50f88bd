// A peer's `limit` option, a number or a function of the request, as the adapter's options: read
// once per request, 0 refusing every request.
import { RateLimitOptionsError } from '../../src/index.js'

type Awaitable<T> = T | Promise<T>

/**
 * A request cost no policy can take: with a `limit` of 0 the policy holds 1, so every request is
 * refused and nothing is ever charged.
 */
const NEVER_FITS = 2

/** What the adapter is told of a peer's `limit`: a per-request limit, and a cost that refuses at 0. */
export interface LimitOptions<Req> {
  readonly limit?: (request: Req) => Promise<number>
  readonly cost?: number | ((request: Req) => Promise<number>)
}

/**
 * A peer's `limit`, a number or a function of the request, as the adapter's options. A limit of 0
 * refuses every request (express-rate-limit 7 and later, hono-rate-limiter): the policy keeps a
 * limit of 1 and such requests cost more. A function is called once per request; `limitOf` then
 * tells what it answered.
 *
 * @example
 * ```ts
 * const limits = new PeerLimits(options.limit, (request) => [request, request.res], checkZero)
 * rateLimit({ limiter, ...limits.adapterOptions })
 * ```
 */
export class PeerLimits<Req extends object> {
  readonly adapterOptions: LimitOptions<Req>
  readonly #limit: PeerLimits<Req>['limit']
  readonly #asked = new WeakMap<Req, number>()

  /**
   * @param limit the peer's option
   * @param argumentsOf what the peer hands a `limit` function for a request
   * @param onLimit sees each limit read (the peer's check of a limit of 0)
   */
  constructor(
    readonly limit: number | ((...args: never[]) => Awaitable<number>),
    readonly argumentsOf: (request: Req) => unknown[],
    readonly onLimit: (limit: number) => void,
  ) {
    this.#limit = limit
    if (typeof limit === 'number') {
      onLimit(limit)
      this.adapterOptions = limit === 0 ? { cost: NEVER_FITS } : {}
    } else
      this.adapterOptions = {
        limit: async (request) => Math.max(1, await this.#read(request)),
        cost: async (request) => ((await this.#read(request)) === 0 ? NEVER_FITS : 1),
      }
  }

  /** The options of a `consume` for the request, as the adapter would make them. */
  async callOf(request: Req): Promise<{ limit?: number; cost?: number }> {
    if (typeof this.#limit === 'number') return this.#limit === 0 ? { cost: NEVER_FITS } : {}
    const limit = await this.#read(request)
    return limit === 0 ? { limit: 1, cost: NEVER_FITS } : { limit }
  }

  /** The limit of a decided request, as the option gave it. */
  limitOf(request: Req): number | undefined {
    return typeof this.#limit === 'number' ? this.#limit : this.#asked.get(request)
  }

  async #read(request: Req): Promise<number> {
    const known = this.#asked.get(request)
    if (known !== undefined) return known
    const limit = await (this.#limit as (...args: unknown[]) => Awaitable<number>)(...this.argumentsOf(request))
    if (!Number.isSafeInteger(limit) || limit < 0)
      throw new RateLimitOptionsError(`Expected \`limit\` to return a non-negative integer, got ${String(limit)}`)
    this.onLimit(limit)
    this.#asked.set(request, limit)
    return limit
  }
}
