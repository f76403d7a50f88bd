// HTTP throughput and latency: each framework's hello-world app in a process of its own, driven
// by autocannon, without a limiter and behind each limiter, in interleaved rounds. The servers and
// redis-server run on one CPU and autocannon (this process) on the others, so that the load
// generator neither starves the app it measures nor gives it a core that a lighter app would use.
import { fork } from 'node:child_process'
import { once } from 'node:events'
import autocannon from 'autocannon'
import { FRAMEWORKS, NO_LIMITER, sideOf, variantsOf } from './http/variants.js'
import { pinApart } from './pinning.js'
import { interleave } from './rounds.js'
import { HTTP_CONNECTIONS } from './settings.js'

const SERVER = new URL('./http/server.js', import.meta.url)

/**
 * Measures every variant of every framework; resolves to `{ cells, pinned }`: one cell per
 * framework, and the CPUs each side ran on (or why nothing was pinned).
 */
export async function measureHttp({ client, redisPort, redisPid, plan, log }) {
  const cells = FRAMEWORKS.map((framework) => ({
    framework,
    title: framework,
    reference: NO_LIMITER,
    contenders: variantsOf(framework).map((variant) => ({ id: variant, side: sideOf(variant) })),
  }))
  const servers = new Map()
  let pinned
  try {
    const starting = cells.flatMap(({ framework, contenders }) =>
      contenders.map(async ({ id }) => servers.set(`${framework} ${id}`, await startServer(framework, id, redisPort))),
    )
    // Settle every start before failing, so that the `finally` below stops every server that started.
    const failed = (await Promise.allSettled(starting)).find(({ status }) => status === 'rejected')
    if (failed) throw failed.reason
    pinned = pinApart([redisPid, ...[...servers.values()].map(({ child }) => child.pid)])
    if (plan.httpWarmupSeconds > 0) {
      log(`HTTP: ${servers.size} servers up; warming each up for ${plan.httpWarmupSeconds} s`)
      for (const { port } of servers.values()) await load(port, plan.httpWarmupSeconds)
    }
    const measure = async ({ framework }, { id }) => {
      await client.flushdb()
      const sample = await load(servers.get(`${framework} ${id}`).port, plan.httpSeconds)
      const flaw = sample.refused ? `  INVALID: ${sample.refused} refused or failed` : ''
      log(
        `  ${framework}  ${id}: ${Math.round(sample.perSecond).toLocaleString('en-US')} req/s, p99 ${sample.p99} ms${flaw}`,
      )
      return sample
    }
    return { cells: await interleave({ rounds: plan.rounds, cells, measure, log }), pinned }
  } finally {
    pinned?.restore()
    await Promise.all([...servers.values()].map(stopServer))
  }
}

/** Forks one contender's server and resolves once it listens. */
async function startServer(framework, variant, redisPort) {
  const child = fork(SERVER, [framework, variant, String(redisPort)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const [message] = await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`the ${framework} server for "${variant}" exited with code ${code} before listening`)
    }),
  ])
  return { child, port: message.port }
}

async function stopServer({ child }) {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill()
  await exited
}

/**
 * One autocannon run against `port`, whole seconds (autocannon samples once a second): its mean
 * requests per second, p50/p99 latency in ms, and how many requests failed or were refused.
 */
async function load(port, seconds) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/`,
    connections: HTTP_CONNECTIONS,
    duration: seconds,
  })
  return {
    perSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    refused: result.non2xx + result.errors + result.timeouts,
  }
}
