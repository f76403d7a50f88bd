// The policy every contender enforces: high enough that no decision is refused, so every run
// measures the normal path (an allowed request), which is what a limiter costs most requests.

/** Units per window. */
export const LIMIT = 1_000_000_000

/** Window length, in ms. */
export const WINDOW_MS = 60_000

/** Concurrent HTTP connections autocannon keeps open. */
export const HTTP_CONNECTIONS = 100
