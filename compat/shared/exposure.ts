// The figures both peers put on a request, under the property the user names: Express `req[name]`,
// Hono `c.get(name)`.
import type { RateLimitResult } from '../../src/index.js'

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
