// Every contender's answer reduced to one word, so one driver counts them all alike.

/** A boolean decision: `'allowed'` or `'denied'`. */
export const verdictOf = (allowed) => (allowed ? 'allowed' : 'denied')

/** One of our results; `'degraded'` when the store failed and the failure policy decided. */
export const verdictOfResult = (result) => (result.degraded ? 'degraded' : result.allowed ? 'allowed' : 'denied')

/** An express-rate-limit style store's answer (`totalHits`, this hit included). */
export const verdictOfHits = (limit) => (info) => verdictOf(info.totalHits <= limit)
