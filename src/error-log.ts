/** Logs store failures to the console, at most once per 10 s, with a count of those left out. */
export function createDefaultErrorLog(): (error: unknown) => void {
  let lastLoggedMs = Number.NEGATIVE_INFINITY
  let unlogged = 0
  return function logStoreError(error) {
    const nowMs = Date.now()
    if (nowMs - lastLoggedMs < 10_000) {
      unlogged++
      return
    }
    const since = unlogged > 0 ? ` (${unlogged} more failures since the last report)` : ''
    console.error(`atomic-ratelimit: the store failed, onStoreError decided${since}:`, error)
    lastLoggedMs = nowMs
    unlogged = 0
  }
}
