import { breakerChannel } from './diagnostics/channels.js'
import type { BreakerMessage } from './diagnostics/messages.js'

/** `closed`: calls go to the store. `open`: none do. `half-open`: one probe call does. */
export type CircuitState = 'closed' | 'open' | 'half-open'

/** Options of the limiter's circuit breaker around its store. */
export interface CircuitBreakerOptions {
  /** Consecutive store failures that open the circuit. @default 5 */
  readonly failureThreshold?: number
  /** How long the circuit stays open before one probe call may try the store again, in ms. @default 500 */
  readonly cooldownMs?: number
  /**
   * Told of every change of state, with the failure that opened the circuit and the part of the
   * store it guards (`''` for a single server, a master's address on a Cluster).
   */
  readonly onStateChange?: (state: CircuitState, error: unknown, domain: string) => void
}

/** Circuit breaker settings with their defaults applied. */
export interface ResolvedCircuitBreakerOptions {
  readonly failureThreshold: number
  readonly cooldownMs: number
  readonly onStateChange: ((state: CircuitState, error: unknown, domain: string) => void) | undefined
}

/**
 * Counts consecutive store failures. Past the threshold it opens: decisions skip the store and take
 * the failure policy at once, with no deadline to wait out. After the cool-down one call probes
 * the store; its success closes the circuit, its failure opens it for another cool-down.
 */
export class CircuitBreaker {
  readonly #options: ResolvedCircuitBreakerOptions
  readonly #domain: string
  /** The limiter's key namespace, told to observers. */
  readonly #prefix: string
  #state: CircuitState = 'closed'
  #failures = 0
  #openedAtMs = 0

  /** A closed breaker for one failure domain of the store, of the limiter with this prefix. */
  constructor(options: ResolvedCircuitBreakerOptions, domain: string, prefix: string) {
    this.#options = options
    this.#domain = domain
    this.#prefix = prefix
  }

  /** The current state. */
  get state(): CircuitState {
    return this.#state
  }

  /** Whether a call may go to the store now; while half-open, only the one probe may. */
  allowsCall(): boolean {
    if (this.#state === 'closed') return true
    if (this.#state === 'half-open' || performance.now() - this.#openedAtMs < this.#options.cooldownMs) return false
    this.#change('half-open')
    return true
  }

  /** Records a store answer. */
  succeeded(): void {
    this.#failures = 0
    if (this.#state !== 'closed') this.#change('closed')
  }

  /** Records a store failure (an error or a missed deadline). */
  failed(error: unknown): void {
    this.#failures++
    if (this.#state === 'half-open' || (this.#state === 'closed' && this.#failures >= this.#options.failureThreshold)) {
      this.#openedAtMs = performance.now()
      this.#change('open', error)
    }
  }

  /**
   * Records a call that told nothing of the store's health (the client knew it had no connection,
   * so nothing was sent). A probe's turn comes again after another cool-down: left half-open, the
   * circuit would wait for a probe answer that never comes.
   */
  inconclusive(error: unknown): void {
    if (this.#state !== 'half-open') return
    this.#openedAtMs = performance.now()
    this.#change('open', error)
  }

  #change(state: CircuitState, error?: unknown): void {
    const previousState = this.#state
    this.#state = state
    if (breakerChannel.hasSubscribers)
      breakerChannel.publish({
        prefix: this.#prefix,
        domain: this.#domain,
        state,
        previousState,
      } satisfies BreakerMessage)
    try {
      this.#options.onStateChange?.(state, error, this.#domain)
    } catch (callbackError) {
      console.error('atomic-ratelimit: the circuit breaker onStateChange callback threw', callbackError)
    }
  }
}
