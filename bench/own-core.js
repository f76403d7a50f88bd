// Redis on a core of its own. Everywhere else the benchmark's process and redis-server share the
// machine's cores, so a script that costs Redis more CPU also takes it from the client. Here
// redis-server is pinned to one CPU and this process to the others (every thread: `taskset -a`),
// and the bare script and our fixed window, one call per decision and coalesced, run again: the
// ratios as they would be with Redis on a machine of its own, the setting the reference
// figures assume ("Redis can decide three times faster than one Node client can ask").
import { cellsOf, measureCell } from './cells.js'
import { ceiling } from './contenders/bare-script.js'
import { oursOnRedis } from './contenders/ours.js'
import { pinApart } from './pinning.js'
import { interleave } from './rounds.js'

const MEASURED = ['ours fixed-window', 'ours fixed-window coalesced']
const CONCURRENCIES = [64, 512]

/**
 * Measures the cells with redis-server (`redisPid`) pinned apart from this process, then gives both
 * back the CPUs they had. Resolves to `{ cells, redisCpu, clientCpus }`, or to `{ skipped }` with the
 * reason when there is nothing to pin apart (one CPU, or no `taskset`).
 */
export async function measureOnOwnCore({ client, plan, log, redisPid }) {
  const pinned = pinApart([redisPid])
  if (pinned.skipped) return { skipped: pinned.skipped }
  try {
    const contenders = [ceiling, ...oursOnRedis().filter(({ id }) => MEASURED.includes(id))]
    const cells = cellsOf('redis', contenders, CONCURRENCIES, ceiling.id)
      .filter(({ keys }) => keys === 'random')
      .map((cell) => ({ ...cell, title: `${cell.title}, Redis alone on CPU ${pinned.serverCpu}` }))
    const measured = await interleave({ rounds: plan.rounds, cells, measure: measureCell({ client, plan, log }), log })
    return { cells: measured, redisCpu: pinned.serverCpu, clientCpus: pinned.clientCpus }
  } finally {
    pinned.restore()
  }
}
