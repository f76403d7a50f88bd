import { describe, expect, it } from 'vitest'
import { RateLimiter, RedisStore } from '../src/index.js'
import { algorithmNames, hasBurst, policyOf } from './helpers/policies.js'
import { connect, deployments, ports, uniquePrefix } from './helpers/redis.js'
import { startWorker } from './helpers/workers.js'

const PROCESSES = 4
const REQUESTS_PER_PROCESS = 1_250
const LIMIT = 100

interface WorkerReport {
  allowed: number
  degraded: number
  /** Refusals that started a ban (penalties on). */
  bansStarted: number
  errors: string[]
}

const CONSUME_WORKER = new URL('./fixtures/consume-worker.js', import.meta.url)
const WINDOW_MS = 3_600_000

describe.each(deployments)('concurrent consumes on Redis %s', (deployment) => {
  const client = connect(deployment)

  // Every algorithm with coalescing (the default), the fixed window with one script call each, and
  // with penalties: a ban after 50 refusals in a row, started exactly once, and continueExceeding.
  const cases = [
    ...algorithmNames.map((algorithm) => ({ algorithm, coalesce: true, penalties: false })),
    { algorithm: 'fixed-window' as const, coalesce: false, penalties: false },
    { algorithm: 'fixed-window' as const, coalesce: true, penalties: true },
    { algorithm: 'gcra' as const, coalesce: false, penalties: true },
  ]
  it.each(cases)(
    `allows exactly ${LIMIT} per hour of ${PROCESSES} processes x ${REQUESTS_PER_PROCESS} concurrent requests on one key: $algorithm, coalesce $coalesce, penalties $penalties`,
    async ({ algorithm, coalesce, penalties }) => {
      const prefix = uniquePrefix('race')
      const serverPorts = deployment === 'cluster' ? ports.clusterPorts : [ports.standalonePort]
      const settings = {
        ports: serverPorts,
        cluster: deployment === 'cluster',
        prefix,
        requests: REQUESTS_PER_PROCESS,
        limit: LIMIT,
        algorithm,
        coalesce,
        penalties,
      }
      const workers = await Promise.all(
        Array.from({ length: PROCESSES }, () => startWorker<WorkerReport>(CONSUME_WORKER, settings)),
      )
      const startedMs = Date.now()
      for (const { child } of workers) child.send('go')
      const reports = await Promise.all(workers.map(({ report }) => report))
      const elapsedMs = Date.now() - startedMs

      expect(reports.flatMap((report) => report.errors)).toEqual([])
      expect(reports.reduce((sum, report) => sum + report.degraded, 0)).toBe(0)
      const allowed = reports.reduce((sum, report) => sum + report.allowed, 0)
      // The refilling algorithms may also pass what refilled while the race ran: at 100 per hour, a
      // unit per 36 s, which a race of a few seconds almost never earns.
      const refilled = hasBurst(algorithm) ? Math.floor((elapsedMs * LIMIT) / WINDOW_MS) : 0
      if (penalties) expect(reports.reduce((sum, report) => sum + report.bansStarted, 0)).toBe(1)
      expect(allowed).toBeGreaterThanOrEqual(LIMIT)
      expect(allowed, `allowed ${allowed}; refill during ${elapsedMs} ms: ${refilled}`).toBeLessThanOrEqual(
        LIMIT + refilled,
      )
      const policy = policyOf(algorithm, { limit: LIMIT, windowMs: WINDOW_MS })
      const limiter = new RateLimiter({ store: new RedisStore({ client }), policy, prefix })
      expect(await limiter.peek('sku-1')).toMatchObject({ remaining: 0, degraded: false })
    },
  )
})
