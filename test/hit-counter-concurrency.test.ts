import { describe, expect, it } from 'vitest'
import { HitCounterStore, RedisStore } from '../src/index.js'
import { connect, deployments, ports, uniquePrefix } from './helpers/redis.js'
import { startWorker } from './helpers/workers.js'

const PROCESSES = 4
const REQUESTS_PER_PROCESS = 1_250
const LIMIT = 100
const HIT_COUNTER_WORKER = new URL('./fixtures/hit-counter-worker.js', import.meta.url)

interface WorkerReport {
  /** Hits whose `totalHits` was within the limit: what express-rate-limit lets through. */
  allowed: number
  /** The `totalHits` of every hit. */
  totals: number[]
  errors: string[]
}

describe.each(deployments)('concurrent hits through a HitCounterStore on Redis %s', (deployment) => {
  const client = connect(deployment)

  it(`counts ${PROCESSES} processes x ${REQUESTS_PER_PROCESS} concurrent hits on one key exactly: every total once, exactly ${LIMIT} within a limit of ${LIMIT}`, async () => {
    const prefix = uniquePrefix('hits-race')
    const settings = {
      ports: deployment === 'cluster' ? ports.clusterPorts : [ports.standalonePort],
      cluster: deployment === 'cluster',
      prefix,
      requests: REQUESTS_PER_PROCESS,
      limit: LIMIT,
    }
    const workers = await Promise.all(
      Array.from({ length: PROCESSES }, () => startWorker<WorkerReport>(HIT_COUNTER_WORKER, settings)),
    )
    for (const { child } of workers) child.send('go')
    const reports = await Promise.all(workers.map(({ report }) => report))

    expect(reports.flatMap((report) => report.errors)).toEqual([])
    const hits = PROCESSES * REQUESTS_PER_PROCESS
    const totals = reports.flatMap((report) => report.totals).sort((a, b) => a - b)
    expect(totals).toEqual(Array.from({ length: hits }, (_, index) => index + 1))
    expect(reports.reduce((sum, report) => sum + report.allowed, 0)).toBe(LIMIT)
    // A deadline a loaded machine cannot miss: the check reads what Redis holds.
    const store = new HitCounterStore({
      store: new RedisStore({ client }),
      prefix,
      windowMs: 3_600_000,
      timeoutMs: 10_000,
    })
    expect(await store.get('sku-1')).toMatchObject({ totalHits: hits })
  })
})
