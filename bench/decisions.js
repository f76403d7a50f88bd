// Decision throughput: every contender keeps C decisions in flight for a fixed time, on a hot key
// and on random keys, in interleaved rounds.

import { cellsOf, measureCell } from './cells.js'
import { ceiling, ceilingOnNodeRedis } from './contenders/bare-script.js'
import { hitCounterOnRedis } from './contenders/bridge.js'
import { oursOnRedis } from './contenders/ours.js'
import { peersOnRedis } from './contenders/peers.js'
import { measureInMemory } from './memory-decisions.js'
import { interleave } from './rounds.js'

/** Measures the Redis contenders here, then the memory ones in a process of their own; resolves to the cells. */
export async function measureDecisions({ client, plan, log }) {
  const cells = cellsOf(
    'redis',
    [ceiling, ceilingOnNodeRedis, ...oursOnRedis(), hitCounterOnRedis, ...peersOnRedis],
    plan.redisConcurrencies,
    ceiling.id,
  )
  const onRedis = await interleave({ rounds: plan.rounds, cells, measure: measureCell({ client, plan, log }), log })
  return [...onRedis, ...(await measureInMemory({ plan, log }))]
}
