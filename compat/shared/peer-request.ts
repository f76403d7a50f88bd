// What both peers' middleware do beyond deciding: their limiter's answer to store failures, a
// `limit` read per request (0 refusing every request), the figures under the property the user
// names, and `getKey`/`resetKey`.
import {
  type Policy,
  RateLimiter,
  RateLimitOptionsError,
  type RateLimitResult,
  type Store,
  StoreUnavailableError,
} from '../../src/index.js'
import type { HitCount, HitCounter, LegacyHitCounter } from './peer-store.js'

type Awaitable<T> = T | Promise<T>

/** The options without those set to `undefined`, which both peers read as "the default". */
export function definedOnly<T extends object>(options: T): Partial<T> & Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>
}

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

/** What a compat entry's limiter is made of. */
export interface PeerLimiterSpec {
  /** Our store, or a peer's hit counter as a `PeerStore`. */
  readonly store: Store
  readonly policy: Policy
  readonly prefix: string
  /**
   * When given, a store failure lets the request through and is reported here (express-rate-limit's
   * `passOnStoreError`); otherwise the request is refused and `takeFailure` hands the error to the
   * framework, as both peers pass a store's error on.
   */
  readonly passingOn?: ((error: unknown) => void) | undefined
}

/** A compat entry's limiter, and the store failure behind its last degraded refusal. */
export interface PeerLimiter {
  readonly limiter: RateLimiter
  /** The store's last failure (or, when the circuit breaker kept it from being asked, an error saying so). */
  takeFailure(): unknown
}

/**
 * The limiter a compat entry hands its adapter: counting refusals where the store can (so `used`
 * goes past `limit` as with the peers), and answering store failures as the peers do.
 */
export function createPeerLimiter({ store, policy, prefix, passingOn }: PeerLimiterSpec): PeerLimiter {
  let lastFailure: unknown
  const limiter = new RateLimiter({
    store,
    policy,
    prefix,
    countRefusals: store.penalties === true,
    onStoreError: passingOn ? 'allow' : 'deny',
    onError: (error) => {
      if (passingOn) passingOn(error)
      else lastFailure = error
    },
  })
  return {
    limiter,
    takeFailure() {
      const failure = lastFailure ?? new StoreUnavailableError('The rate limit store was not asked: it is failing')
      lastFailure = undefined
      return failure
    },
  }
}

/** The most hits `getKey` can report: peeking under this limit, what is left tells what was used. */
const COUNTABLE_HITS = 1_000_000_000

/** The middleware's `resetKey(key)` and `getKey(key)`, as both peers offer them. */
export interface KeyHelpers {
  /** Forgets a client's hits. */
  resetKey(key: string): unknown
  /** A client's hits in its window and when it ends; undefined when it has none. */
  getKey(key: string): Awaitable<HitCount | undefined>
}

/**
 * `resetKey` and `getKey` over the store: a hit counter's own methods (`getKey` throws without a
 * `get`), or our limiter's `reset` and a `peek` that counts the hits charged in the client's window.
 */
export function keyHelpersOf(counter: HitCounter | LegacyHitCounter | undefined, limiter: RateLimiter): KeyHelpers {
  if (counter) {
    const get = 'get' in counter ? counter.get : undefined
    return {
      resetKey: (key) => counter.resetKey(key),
      getKey: (key) => {
        if (!get) throw new TypeError('The store has no `get` method, which `getKey` needs')
        return get.call(counter, key)
      },
    }
  }
  return {
    resetKey: (key) => limiter.reset(String(key)),
    getKey: async (key) => {
      const result = await limiter.peek(String(key), { limit: COUNTABLE_HITS })
      const totalHits = COUNTABLE_HITS - result.remaining
      return totalHits > 0 ? { totalHits, resetTime: new Date(result.decidedAtMs + result.resetAfterMs) } : undefined
    },
  }
}

/** Reads and writes a request's variables: Express `req[name]`, Hono `c.get(name)` and `c.set(name, value)`. */
export interface RequestVariables<Req> {
  read(request: Req, name: string): unknown
  write(request: Req, name: string, value: unknown): void
}

/**
 * The peer's figures under `requestPropertyName`. The adapter sets its own decision under
 * `rateLimit` first; with another property name, `rateLimit` gets back what it held before.
 */
export class Exposure<Req extends object> {
  readonly #previous = new WeakMap<Req, unknown>()
  readonly #exposed = new WeakMap<Req, object>()

  constructor(
    readonly property: string,
    readonly variables: RequestVariables<Req>,
  ) {}

  /** Notes what `rateLimit` holds before the adapter runs. */
  remember(request: Req): void {
    this.#previous.set(request, this.variables.read(request, 'rateLimit'))
  }

  /** The decision the adapter set on this pass, if it set one (a skipped request has none). */
  decisionOf(request: Req): RateLimitResult | undefined {
    const value = this.variables.read(request, 'rateLimit')
    // Already replaced by the figures (a refusal's handler that calls `next()`): nothing new to read.
    const seen = value === this.#previous.get(request) || value === this.#exposed.get(request)
    return value !== undefined && !seen ? (value as RateLimitResult) : undefined
  }

  /** Puts `info` under the property, and gives `rateLimit` back its value when that is another one. */
  set(request: Req, info: object): void {
    if (this.property !== 'rateLimit') this.variables.write(request, 'rateLimit', this.#previous.get(request))
    this.variables.write(request, this.property, info)
    this.#exposed.set(request, info)
  }
}
