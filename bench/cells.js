// A cell is one setting of the decision runs (a store, decisions in flight, hot or random keys) and
// the contenders measured in it.
import { drive } from './drive.js'
import { keyModes, keysLabel } from './keys.js'

const KEY_MODES = Object.keys(keyModes)

/**
 * Measures one contender in one cell on a fresh prefix (and an emptied database, on Redis): a
 * warm-up, then the run that counts. Resolves to that run's sample.
 */
export function measureCell({ client, plan, log }) {
  let runs = 0
  return async (cell, contender) => {
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
}

/** The cells of one store; `reference` names the contender every ratio of the cell divides by. */
export function cellsOf(store, contenders, concurrencies, reference) {
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
