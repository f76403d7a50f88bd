// Our store behind express-rate-limit's Store interface (HitCounterStore), driven as the peers'
// stores are: `init({ windowMs })`, then `increment(key)` per hit, the limit held by the caller.
import { HitCounterStore, RedisStore } from 'atomic-ratelimit'
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
    return hitStoreDecision(
      new HitCounterStore({ store, ...(prefix && { prefix }), ...(timeoutMs && { timeoutMs }) }),
      limit,
    )
  },
}
