/**
 * A console.error log of recurring failures that writes at most one line per 10 s, with a count of
 * those left out: a failure on every request must not flood the logs. `what` opens each line.
 *
 * @example
 * ```ts
 * const log = createThrottledLog('the store failed, onStoreError decided')
 * log(error) // atomic-ratelimit: the store failed, onStoreError decided: Error ...
 * ```
 */
export function createThrottledLog(what: string): (error: unknown) => void {
  let lastLoggedMs = Number.NEGATIVE_INFINITY
  let unlogged = 0
  return function logThrottled(error) {
    const nowMs = Date.now()
    if (nowMs - lastLoggedMs < 10_000) {
      unlogged++
      return
    }
    const since = unlogged > 0 ? ` (${unlogged} more failures since the last report)` : ''
    console.error(`atomic-ratelimit: ${what}${since}:`, error)
    lastLoggedMs = nowMs
    unlogged = 0
  }
}

/** Logs store failures to the console, at most once per 10 s, with a count of those left out. */
export function createDefaultErrorLog(): (error: unknown) => void {
  return createThrottledLog('the store failed, onStoreError decided')
}
