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

/**
 * Every algorithm with coalescing (the default), and the fixed window with one script call each, on
 * ioredis with EVALSHA; the fixed window in Functions mode, and through each other client library.
 */
const cases = [
  ...algorithmNames.map((algorithm) => ({
    algorithm,
    coalesce: true,
    library: 'ioredis',
    scripts: 'eval',
    penalties: false,
  })),
  { algorithm: 'fixed-window', coalesce: false, library: 'ioredis', scripts: 'eval', penalties: false },
  { algorithm: 'fixed-window', coalesce: true, library: 'ioredis', scripts: 'functions', penalties: false },
  { algorithm: 'fixed-window', coalesce: true, library: 'glide', scripts: 'eval', penalties: false },
  { algorithm: 'fixed-window', coalesce: true, library: 'iovalkey', scripts: 'eval', penalties: false },
  { algorithm: 'fixed-window', coalesce: true, library: 'node-redis', scripts: 'eval', penalties: false },
  // A ban after 50 refusals in a row, started exactly once, and continueExceeding.
  { algorithm: 'fixed-window', coalesce: true, library: 'ioredis', scripts: 'eval', penalties: true },
  { algorithm: 'gcra', coalesce: false, library: 'ioredis', scripts: 'functions', penalties: true },
] as const

describe.each(deployments)('concurrent consumes on Redis %s', (deployment) => {
  const client = connect(deployment)

  it.each(cases)(
    `allows exactly ${LIMIT} per hour of ${PROCESSES} processes x ${REQUESTS_PER_PROCESS} concurrent requests on one key: $algorithm, coalesce $coalesce, $library, scripts $scripts, penalties $penalties`,
    async ({ algorithm, coalesce, library, scripts, penalties }) => {
      const prefix = uniquePrefix('race')
      const serverPorts = deployment === 'cluster' ? ports.clusterPorts : [ports.standalonePort]
      const settings = {
        ports: serverPorts,
        cluster: deployment === 'cluster',
        library,
        scripts,
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
      // A deadline the loaded machine cannot miss: the check reads what Redis holds, never a degraded answer.
      const limiter = new RateLimiter({ store: new RedisStore({ client }), policy, prefix, timeoutMs: 10_000 })
      expect(await limiter.peek('sku-1')).toMatchObject({ remaining: 0, degraded: false })
    },
  )
})
