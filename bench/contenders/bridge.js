// Our store behind express-rate-limit's Store interface (HitCounterStore), driven as the peers'
// stores are: `init({ windowMs })`, then `increment(key)` per hit, the limit held by the caller.
import { HitCounterStore, RedisStore, StoreTimeoutError, StoreUnavailableError } from 'atomic-ratelimit'
import { LIMIT } from '../settings.js'
import { hitStoreDecision } from './peers.js'

/** The row's name, in every section that lists contenders on Redis. */
export const HIT_COUNTER_ID = 'ours HitCounterStore (express-rate-limit Store)'

/**
 * The bridge on Redis, with the RedisStore's defaults (coalescing on), as a user wires it. `open`
 * takes `limit` (default: high enough never to refuse), `prefix` (default: its own, `erl`) and
 * `timeoutMs` (default: the library's).
 */
export const hitCounterOnRedis = {
  id: HIT_COUNTER_ID,
  side: 'bridge',
  open: ({ client, prefix, limit = LIMIT, timeoutMs }) => {
    const store = new RedisStore({ client })
    const options = { store, ...(prefix && { prefix }), ...(timeoutMs && { timeoutMs }) }
    const decide = hitStoreDecision(new HitCounterStore(options), limit)
    return (key) => decide(key).catch(degradedOnStoreFailure)
  },
}

/**
 * A missed deadline or a store cut off rejects `increment`, so that the middleware decides: what
 * our limiter reports as a degraded decision, and counted as one.
 */
function degradedOnStoreFailure(error) {
  if (error instanceof StoreTimeoutError || error instanceof StoreUnavailableError) return 'degraded'
  throw error
}
