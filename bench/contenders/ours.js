// Our limiter, as a user builds it: one RateLimiter per run on a fresh prefix, `consume(key)` per
// decision, every other option at its default.
import { fixedWindow, gcra, MemoryStore, RateLimiter, RedisStore, slidingWindow, tokenBucket } from 'atomic-ratelimit'
import { LIMIT, WINDOW_MS } from '../settings.js'
import { verdictOfResult } from './verdict.js'

/** One policy per algorithm, and three at once (distinct windows, so their names differ). */
const policies = {
  'fixed-window': (limit) => fixedWindow({ limit, windowMs: WINDOW_MS }),
  'sliding-window': (limit) => slidingWindow({ limit, windowMs: WINDOW_MS }),
  'token-bucket': (limit) => tokenBucket({ limit, windowMs: WINDOW_MS }),
  gcra: (limit) => gcra({ limit, windowMs: WINDOW_MS }),
  'three policies': (limit) => [
    fixedWindow({ limit, windowMs: WINDOW_MS }),
    slidingWindow({ limit, windowMs: 60 * WINDOW_MS }),
    gcra({ limit, windowMs: 1_000 }),
  ],
}

/**
 * Our Redis contenders: each algorithm alone and three policies, without and with coalescing.
 * `open` takes `limit` (default: high enough never to refuse), `prefix` and `timeoutMs` (default:
 * the library's).
 */
export function oursOnRedis() {
  const contenders = []
  for (const coalesce of [false, true]) {
    for (const [name, policy] of Object.entries(policies)) {
      if (coalesce && !['fixed-window', 'three policies'].includes(name)) continue
      contenders.push({
        id: `ours ${name}${coalesce ? ' coalesced' : ''}`,
        side: 'ours',
        open: ({ client, prefix, limit = LIMIT, timeoutMs }) => {
          // `coalesce` explicit on both sides: a changed default cannot move a row across the comparison.
          const store = new RedisStore({ client, coalesce })
          const options = { store, policy: policy(limit), ...(prefix && { prefix }), ...(timeoutMs && { timeoutMs }) }
          return limiterDecision(new RateLimiter(options))
        },
      })
    }
  }
  return contenders
}

/** Our MemoryStore, one fixed-window policy. */
export const oursInMemory = {
  id: 'ours fixed-window',
  side: 'ours',
  open: ({ prefix }) =>
    limiterDecision(new RateLimiter({ store: new MemoryStore(), policy: policies['fixed-window'](LIMIT), prefix })),
}

/** `consume(key)` as a verdict; a prefix left undefined is the library's default, as for a user. */
function limiterDecision(limiter) {
  return (key) => limiter.consume(key).then(verdictOfResult)
}
