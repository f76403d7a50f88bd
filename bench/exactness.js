// The correctness the speed must not cost: 5,000 concurrent decisions on one key with a limit of
// 100 must allow exactly 100, with and without coalescing. As in test/concurrency.test.ts, the
// deadline is long: fired in one tick, the last of 5,000 decisions waits for all the others, and
// past the default 250 ms the failure policy would decide instead of Redis.
import { setTimeout as sleep } from 'node:timers/promises'
import { HOT_KEY } from './keys.js'
import { WINDOW_MS } from './settings.js'

const LIMIT = 100
const CONCURRENT = 5_000
const TIMEOUT_MS = 30_000

/** Resolves to one row per contender: how many of the concurrent decisions were allowed. */
export async function checkExactness({ client, contenders }) {
  const rows = []
  let runs = 0
  for (const contender of contenders) {
    await clearOfWindowEdge()
    const decide = await contender.open({
      client,
      prefix: `exact${++runs}`,
      limit: LIMIT,
      timeoutMs: TIMEOUT_MS,
      defer: () => {},
    })
    const verdicts = await Promise.all(Array.from({ length: CONCURRENT }, () => decide(HOT_KEY)))
    const count = (verdict) => verdicts.filter((each) => each === verdict).length
    rows.push({
      id: contender.id,
      limit: LIMIT,
      concurrent: CONCURRENT,
      allowed: count('allowed'),
      degraded: count('degraded'),
    })
  }
  return rows
}

/** Most a run takes on a loaded machine, and more. */
const RUN_MS = 5_000

/**
 * Waits for the next fixed window when the current one ends within RUN_MS: windows are numbered
 * from the epoch, and a run across an edge rightly allows the limit in each window it touches.
 */
async function clearOfWindowEdge() {
  const leftMs = WINDOW_MS - (Date.now() % WINDOW_MS)
  if (leftMs < RUN_MS) await sleep(leftMs + 10)
}
