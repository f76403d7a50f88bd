/**
 * Thrown (or, from an async method, rejected) when an option or argument is invalid. The message
 * names the option and what arrived, for example ``Expected `limit` to be a positive integer, got -1``.
 */
export class RateLimitOptionsError extends TypeError {
  /** Stable code for programmatic checks. */
  readonly code = 'ERR_RATE_LIMIT_OPTIONS'
  override name = 'RateLimitOptionsError'
}

/**
 * Passed to `onError` when the store did not answer within the limiter's `timeoutMs`.
 */
export class StoreTimeoutError extends Error {
  /** Stable code for programmatic checks. */
  readonly code = 'ERR_RATE_LIMIT_STORE_TIMEOUT'
  override name = 'StoreTimeoutError'

  /** @param timeoutMs the deadline that passed */
  constructor(readonly timeoutMs: number) {
    super(`The rate limit store did not answer within ${timeoutMs} ms`)
  }
}

/**
 * Passed to `onError` when the store refused a decision at once, without sending anything: the
 * Redis client is reconnecting or closed, or the circuit breaker is open.
 */
export class StoreUnavailableError extends Error {
  /** Stable code for programmatic checks. */
  readonly code = 'ERR_RATE_LIMIT_STORE_UNAVAILABLE'
  override name = 'StoreUnavailableError'
}

/**
 * Whether a store error is a script error about one key's state (a Lua `error()`, as Redis
 * reports it): the store ran the script, so it is up.
 */
export function isScriptError(error: unknown): boolean {
  return error instanceof Error && /user_script|Error running script/.test(error.message)
}

/**
 * What a failure says of the store's health. `answered`: a script error, about one key's state,
 * from a store that ran the script. `unknown`: the client refused at once because it is
 * reconnecting; asking again costs nothing, and is how decisions return the moment it is back.
 * `failed`: anything else (a refused connection, a missed deadline, a cluster error).
 */
export function healthSignOf(error: unknown): 'failed' | 'answered' | 'unknown' {
  if (error instanceof StoreUnavailableError) return 'unknown'
  if (isScriptError(error)) return 'answered'
  return 'failed'
}
