import { type ChildProcess, fork } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { fixedWindow, RateLimiter, RedisStore } from '../src/index.js'
import { connect, deployments, ports, uniquePrefix } from './helpers/redis.js'

const PROCESSES = 4
const REQUESTS_PER_PROCESS = 1_250
const LIMIT = 100

interface WorkerReport {
  allowed: number
  degraded: number
  errors: string[]
}

function startWorker(settings: object): Promise<{ child: ChildProcess; report: Promise<WorkerReport> }> {
  const child = fork(new URL('./fixtures/consume-worker.js', import.meta.url), [JSON.stringify(settings)])
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)))
    child.once('message', () => {
      const report = new Promise<WorkerReport>((done) =>
        child.once('message', (message) => done(message as WorkerReport)),
      )
      resolve({ child, report })
    })
  })
}

describe.each(deployments)('concurrent consumes on Redis %s', (deployment) => {
  const client = connect(deployment)

  it(`allows exactly ${LIMIT} of ${PROCESSES} processes x ${REQUESTS_PER_PROCESS} concurrent requests on one key`, async () => {
    const prefix = uniquePrefix('race')
    const serverPorts = deployment === 'cluster' ? ports.clusterPorts : [ports.standalonePort]
    const settings = {
      ports: serverPorts,
      cluster: deployment === 'cluster',
      prefix,
      requests: REQUESTS_PER_PROCESS,
      limit: LIMIT,
    }
    const workers = await Promise.all(Array.from({ length: PROCESSES }, () => startWorker(settings)))
    for (const { child } of workers) child.send('go')
    const reports = await Promise.all(workers.map(({ report }) => report))

    expect(reports.flatMap((report) => report.errors)).toEqual([])
    expect(reports.reduce((sum, report) => sum + report.degraded, 0)).toBe(0)
    expect(reports.reduce((sum, report) => sum + report.allowed, 0)).toBe(LIMIT)
    const limiter = new RateLimiter({
      store: new RedisStore({ client }),
      policy: fixedWindow({ limit: LIMIT, windowMs: 3_600_000 }),
      prefix,
    })
    expect(await limiter.peek('sku-1')).toMatchObject({ remaining: 0, degraded: false })
  })
})
