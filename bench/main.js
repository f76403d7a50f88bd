// npm run bench [-- --quick]: our limiter side by side with its peers and the bare Redis script,
// on a redis-server of its own; writes BENCHMARKS.md, bench/results.svg and reports/bench.json.
import { Redis } from 'ioredis'
import { measureAddresses } from './addresses.js'
import { measureBytesPerKey } from './bytes-per-key.js'
import { HIT_COUNTER_ID, hitCounterOnRedis } from './contenders/bridge.js'
import { closeOtherClients } from './contenders/other-clients.js'
import { oursOnRedis } from './contenders/ours.js'
import { peersOnRedis } from './contenders/peers.js'
import { measureDecisions } from './decisions.js'
import { checkExactness } from './exactness.js'
import { measureHttp } from './http.js'
import { runMeta } from './meta.js'
import { measureOnOwnCore } from './own-core.js'
import { planFrom } from './plan.js'
import { startRedisServer } from './redis-server.js'
import { writeReport } from './report/write.js'
import { measureRoundTrips } from './round-trips.js'

const plan = planFrom(process.argv.slice(2))
const startedMs = performance.now()
const log = (line) => console.log(`[${((performance.now() - startedMs) / 1000).toFixed(0).padStart(4)} s] ${line}`)

// A signal must still stop what we started: exiting runs the exit handlers that kill our processes.
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130))

const server = await startRedisServer()
log(`redis-server ${server.version} on port ${server.port} (pid ${server.pid}); ${plan.mode} plan`)
const client = new Redis({ port: server.port, host: '127.0.0.1' })
try {
  const onRedis = [...oursOnRedis(), hitCounterOnRedis, ...peersOnRedis]
  const sections = {
    addresses: () => measureAddresses({ plan, log }),
    decisions: () => measureDecisions({ client, plan, log }),
    cores: () => measureOnOwnCore({ client, plan, log, redisPid: server.pid }),
    http: () => measureHttp({ client, redisPort: server.port, redisPid: server.pid, plan, log }),
    bytes: () => measureBytesPerKey({ client, contenders: onRedis }),
    trips: () =>
      measureRoundTrips({
        client,
        contenders: onRedis.filter(({ sendsOwnCommands }) => !sendsOwnCommands),
        decisions: plan.tripDecisions,
      }),
    exactness: () =>
      checkExactness({
        client,
        contenders: onRedis.filter(({ id }) => id.startsWith('ours fixed-window') || id === HIT_COUNTER_ID),
      }),
  }
  const results = { meta: runMeta({ plan, redisVersion: server.version }) }
  for (const section of plan.sections) {
    log(`${section}`)
    results[section] = await sections[section]()
  }
  writeReport({ results, plan, log })
  log(`done in ${Math.round((performance.now() - startedMs) / 1000)} s`)
} finally {
  await closeOtherClients()
  client.disconnect()
  await server.stop()
}
