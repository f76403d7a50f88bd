// npm run bench [-- --quick]: our limiter side by side with its peers and the bare Redis script,
// on a redis-server of its own; writes BENCHMARKS.md and bench/results.svg.
import { Redis } from 'ioredis'
import { supportsCoalescing } from './contenders/ours.js'
import { measureDecisions } from './decisions.js'
import { planFrom } from './plan.js'
import { startRedisServer } from './redis-server.js'

const plan = planFrom(process.argv.slice(2))
const startedMs = performance.now()
const log = (line) => console.log(`[${((performance.now() - startedMs) / 1000).toFixed(0).padStart(4)} s] ${line}`)

// A signal must still stop what we started: exiting runs the exit handlers that kill our processes.
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130))

const server = await startRedisServer()
log(`redis-server ${server.version} on port ${server.port} (pid ${server.pid}), ${plan.mode} plan`)
const client = new Redis({ port: server.port, host: '127.0.0.1' })
try {
  const coalescing = { available: supportsCoalescing(client) }
  log(`coalescing ${coalescing.available ? 'available' : 'not available in this build'}`)
  const decisions = await measureDecisions({ client, plan, coalescing, log })
  console.log(
    JSON.stringify(
      decisions.map((c) => ({
        t: c.title,
        rows: c.rows.map((r) => [r.id, r.samples.map((s) => Math.round(s.perSecond))]),
      })),
      null,
      1,
    ),
  )
} finally {
  client.disconnect()
  await server.stop()
}
