// Decision throughput: every contender keeps C decisions in flight for a fixed time, on a hot key
// and on random keys, in interleaved rounds.
import { ceiling } from './contenders/bare-script.js'
import { oursInMemory, oursOnRedis } from './contenders/ours.js'
import { peersInMemory, peersOnRedis } from './contenders/peers.js'
import { drive } from './drive.js'
import { keyModes, keysLabel } from './keys.js'
import { interleave } from './rounds.js'

const KEY_MODES = Object.keys(keyModes)

/** Measures the Redis and the memory contenders; resolves to the cells with their samples. */
export async function measureDecisions({ client, plan, log }) {
  const onRedis = [ceiling, ...oursOnRedis(), ...peersOnRedis]
  const inMemory = [oursInMemory, ...peersInMemory]
  const cells = [
    ...cellsOf('redis', onRedis, plan.redisConcurrencies, ceiling.id),
    ...cellsOf('memory', inMemory, plan.memoryConcurrencies, oursInMemory.id),
  ]
  let runs = 0
  const measure = async (cell, contender) => {
    const prefix = `bench${++runs}`
    if (cell.store === 'redis') await client.flushdb()
    // Garbage left by the previous contender is collected now, not during this one's run.
    if (plan.collectGarbage) globalThis.gc?.()
    const cleanups = []
    const decide = await contender.open({ client, prefix, defer: (cleanup) => cleanups.push(cleanup) })
    try {
      const settings = { decide, nextKey: keyModes[cell.keys], concurrency: cell.concurrency }
      await drive({ ...settings, durationMs: plan.decisionWarmupMs })
      const sample = await drive({ ...settings, durationMs: plan.decisionMs })
      log(`  ${cell.title}  ${contender.id}: ${Math.round(sample.perSecond).toLocaleString('en-US')}/s${flaws(sample)}`)
      return sample
    } finally {
      for (const cleanup of cleanups) await cleanup()
    }
  }
  return interleave({ rounds: plan.rounds, cells, measure, log })
}

/** The cells of one store; `reference` names the contender every ratio of the cell divides by. */
function cellsOf(store, contenders, concurrencies, reference) {
  return concurrencies.flatMap((concurrency) =>
    KEY_MODES.map((keys) => ({
      store,
      concurrency,
      keys,
      title: `${store}, ${concurrency} in flight, ${keysLabel(keys)}`,
      contenders,
      reference,
    })),
  )
}

/** What made a run invalid, for the log: a refusal, a degraded decision or an error. */
export function flaws({ denied, degraded, errors, firstError }) {
  const found = Object.entries({ denied, degraded, errors }).filter(([, count]) => count > 0)
  if (found.length === 0) return ''
  const listed = found.map(([what, count]) => `${count} ${what}`).join(', ')
  return `  INVALID: ${listed}${firstError ? ` (${firstError.message ?? firstError})` : ''}`
}
