// npm run bench:floors [-- --quick | --smoke]: the floors under issue 23's targets, measured apart from the main run and
// printed as markdown (BENCHMARKS.md keeps them, dated, with this command):
// - in memory, a decision written out by hand that returns what ours does (a fresh result of
//   RateLimitResult's shape, one PolicyResult in its list), against express-rate-limit's
//   increment, which returns the record it keeps: how close any limiter with our result can come;
// - on Redis, the CPU time per call (INFO commandstats) of the least our semantics need (the
//   server's clock, the state read, the state written with its expiry), of one policy as a field of
//   a hash per client (its window going on, and beginning), and of three policies stored as three
//   strings or as one hash, beside the bare script and ours; and the bytes each leaves;
// - the same per decision when 32 decisions share a call, as coalescing sends them
//   (floor-batches.js): how far above the bare script a Redis-bound coalesced run can go;
// - one decision in flight, decisions per second, on a hot key and random keys: the bare script, the
//   least our semantics need, ours and the peers, where the time Redis spends is the whole story.
//   Time per call moves far less with the load of a shared machine than decisions per second.
import { readFileSync } from 'node:fs'
import { MemoryStore as ErlMemoryStore } from 'express-rate-limit'
import { Redis } from 'ioredis'
import { measureBytesPerKey } from './bytes-per-key.js'
import { ceiling } from './contenders/bare-script.js'
import { closeOtherClients } from './contenders/other-clients.js'
import { oursInMemory, oursOnRedis } from './contenders/ours.js'
import { hitStoreDecision, peersOnRedis } from './contenders/peers.js'
import { verdictOf } from './contenders/verdict.js'
import { drive } from './drive.js'
import { measureCoalescedCpu } from './floor-batches.js'
import { keyModes } from './keys.js'
import { startRedisServer } from './redis-server.js'
import { LIMIT, WINDOW_MS } from './settings.js'
import { floorRounds, shuffled, summarize } from './stats.js'

/** Rounds and ms per run: `--quick` for a rough look, `--smoke` to check the machinery; the figures kept come from the default. */
const { ROUNDS, RUN_MS } = process.argv.includes('--smoke')
  ? { ROUNDS: 1, RUN_MS: 10 }
  : process.argv.includes('--quick')
    ? { ROUNDS: 2, RUN_MS: 200 }
    : { ROUNDS: 5, RUN_MS: 1_000 }
const REDIS_IN_FLIGHT = 64

/**
 * One fixed-window decision, by hand: a Map of counters, the clock, and a fresh result object with
 * the fields and per-policy list of ours. Nothing is checked, bounded or swept.
 */
function byHandInMemory() {
  const counters = new Map()
  return (key) => {
    const nowMs = Date.now()
    const window = Math.floor(nowMs / WINDOW_MS)
    let counter = counters.get(key)
    if (!counter) {
      counter = { window, used: 0 }
      counters.set(key, counter)
    }
    if (counter.window !== window) {
      counter.window = window
      counter.used = 0
    }
    const allowed = counter.used < LIMIT
    if (allowed) counter.used++
    const remaining = LIMIT - counter.used
    const resetAfterMs = (window + 1) * WINDOW_MS - nowMs
    const limit = LIMIT
    const only = { policy: 'p', allowed, limit, remaining, resetAfterMs, retryAfterMs: 0, nextQuotaMs: resetAfterMs }
    const result = {
      allowed,
      limit,
      remaining,
      resetAfterMs,
      retryAfterMs: 0,
      nextQuotaMs: resetAfterMs,
      decidedAtMs: nowMs,
      policy: 'p',
      policies: [only],
      degraded: false,
      banned: false,
      refusals: 0,
    }
    return Promise.resolve(result).then(({ allowed }) => verdictOf(allowed))
  }
}

const inMemory = [
  { id: 'express-rate-limit (increment)', open: () => hitStoreDecision(new ErlMemoryStore()) },
  { id: 'by hand, our result', open: byHandInMemory },
  { id: 'ours fixed-window', open: () => oursInMemory.open({ prefix: 'floors' }) },
]

/** Decisions per second, one after another, in interleaved rounds: median and range per contender and keys. */
async function measureInMemory() {
  const rows = []
  for (const keys of ['hot', 'random']) {
    const decides = new Map(inMemory.map((contender) => [contender, contender.open()]))
    const samples = new Map(inMemory.map((contender) => [contender, []]))
    for (let round = 0; round < ROUNDS; round++)
      for (const contender of shuffled(inMemory)) {
        const run = await cleanDrive(contender, {
          decide: decides.get(contender),
          nextKey: keyModes[keys],
          concurrency: 1,
        })
        samples.get(contender).push(run.perSecond)
      }
    const erl = summarize(samples.get(inMemory[0])).median
    for (const contender of inMemory) {
      const rate = summarize(samples.get(contender))
      rows.push({ id: contender.id, keys, rate, erlTimes: erl / rate.median })
    }
  }
  return rows
}

/** A script of bench/floors/ as a contender: one EVALSHA per decision on `<prefix>:{<key>}`. */
function probe(id, file) {
  const source = readFileSync(new URL(`floors/${file}`, import.meta.url), 'utf8')
  return {
    id,
    open: async ({ client, prefix = 'rl' }) => {
      const sha1 = await client.script('LOAD', source)
      return (key) => client.evalsha(sha1, 1, `${prefix}:{${key}}`).then(() => 'allowed')
    },
  }
}

const ours = (id) => oursOnRedis().find((contender) => contender.id === id)

const onRedis = [
  ceiling,
  probe('what one policy needs: TIME, GET, SET PX', 'one-policy-needs.lua'),
  probe('one policy in a hash, its window going on: TIME, HGET, HSET', 'one-in-a-hash.lua'),
  probe(
    'one policy in a hash, its window beginning: TIME, HGET, HSET, PEXPIRE NX, PEXPIRE GT',
    'one-in-a-hash-first.lua',
  ),
  ours('ours fixed-window'),
  probe('three policies as three strings: TIME, 3 GET, 3 SET PX', 'three-strings.lua'),
  probe('three policies as one hash: TIME, HMGET, HSET, PEXPIRE', 'three-in-a-hash.lua'),
  ours('ours three policies'),
]

/** Redis CPU per EVALSHA, in µs, over random keys, in interleaved rounds; every contender sends one per decision. */
async function measureRedisCpu(client) {
  const samples = await floorRounds({
    client,
    contenders: onRedis,
    rounds: ROUNDS,
    measure: async (contender, decide) => {
      await decide(keyModes.random()) // not counted: a first call may find its script missing and load it
      await client.config('RESETSTAT')
      await cleanDrive(contender, { decide, nextKey: keyModes.random, concurrency: REDIS_IN_FLIGHT })
      const stats = await client.info('commandstats')
      const [, calls, usec] = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(stats)
      return Number(usec) / Number(calls)
    },
  })
  return onRedis.map((contender) => ({ id: contender.id, usPerCall: summarize(samples.get(contender)) }))
}

/** At one decision in flight: the bare script, the least our semantics need, ours (as a user builds it) and the peers but koa-ratelimit (not a script). */
const oneInFlight = [
  ceiling,
  onRedis[1],
  ours('ours fixed-window coalesced'),
  ...peersOnRedis.filter(({ id }) => id !== 'koa-ratelimit'),
]

/** Decisions per second at one in flight, in interleaved rounds, per keys: rows with the median and range, and × the bare script. */
async function measureOneInFlight(client) {
  const rows = []
  for (const keys of ['hot', 'random']) {
    const samples = await floorRounds({
      client,
      contenders: oneInFlight,
      rounds: ROUNDS,
      measure: async (contender, decide) =>
        (await cleanDrive(contender, { decide, nextKey: keyModes[keys], concurrency: 1 })).perSecond,
    })
    const bare = summarize(samples.get(ceiling)).median
    for (const contender of oneInFlight) {
      const rate = summarize(samples.get(contender))
      rows.push({ id: contender.id, keys, rate, bareTimes: rate.median / bare })
    }
  }
  return rows
}

/** A run of RUN_MS; throws if any decision failed or was degraded, which would make its figure meaningless. */
async function cleanDrive(contender, options) {
  const run = await drive({ ...options, durationMs: RUN_MS })
  if (run.errors > 0 || run.degraded > 0)
    throw new Error(`${contender.id}: ${run.errors} errors, ${run.degraded} degraded decisions (${run.firstError})`)
  return run
}

const range = ({ median, min, max }, digits, unit = '') =>
  `${median.toFixed(digits)}${unit} (${min.toFixed(digits)}–${max.toFixed(digits)})`

const memoryRows = await measureInMemory()
const server = await startRedisServer()
console.error(`redis-server ${server.version} on port ${server.port} (pid ${server.pid})`)
const client = new Redis({ port: server.port, host: '127.0.0.1' })
try {
  const cpu = await measureRedisCpu(client)
  const bytes = await measureBytesPerKey({ client, contenders: onRedis.slice(1) })
  const coalesced = await measureCoalescedCpu({ client, rounds: ROUNDS, runMs: RUN_MS })
  const lone = await measureOneInFlight(client)
  const bare = cpu[0].usPerCall.median
  console.log(`In memory, one decision after another, ${ROUNDS} interleaved rounds of ${RUN_MS} ms:\n`)
  console.log('| contender | keys | decisions/s | express-rate-limit × this |\n| --- | --- | --- | --- |')
  for (const { id, keys, rate, erlTimes } of memoryRows)
    console.log(
      `| ${id} | ${keys} | ${range({ median: rate.median / 1e6, min: rate.min / 1e6, max: rate.max / 1e6 }, 2, 'M')} | ${erlTimes.toFixed(2)}× |`,
    )
  console.log(
    `\nRedis ${server.version}, random keys, ${REDIS_IN_FLIGHT} in flight, ${ROUNDS} interleaved rounds of ${RUN_MS} ms:\n`,
  )
  console.log('| contender | Redis µs per decision | × bare script | bytes per client |\n| --- | --- | --- | --- |')
  for (const [index, { id, usPerCall }] of cpu.entries())
    console.log(`| ${id} | ${range(usPerCall, 2)} | ${(usPerCall.median / bare).toFixed(2)}× | ${bytes[index].bytes} |`)
  console.log(
    `\nThe same, per decision, when decisions share a call (the bare script: one a call; ours: coalesced, ${REDIS_IN_FLIGHT * 8} in flight):\n`,
  )
  console.log(
    "| contender | script µs per decision | server µs per decision | bare script's server µs ÷ this |\n| --- | --- | --- | --- |",
  )
  const bareServerUs = coalesced[0].serverUs.median
  for (const { id, scriptUs, serverUs } of coalesced)
    console.log(
      `| ${id} | ${range(scriptUs, 2)} | ${range(serverUs, 2)} | ${(bareServerUs / serverUs.median).toFixed(2)}× |`,
    )
  console.log(`\nOne decision in flight, ${ROUNDS} interleaved rounds of ${RUN_MS} ms:\n`)
  console.log('| contender | keys | decisions/s | × bare script |\n| --- | --- | --- | --- |')
  for (const { id, keys, rate, bareTimes } of lone)
    console.log(
      `| ${id} | ${keys} | ${range({ median: rate.median / 1e3, min: rate.min / 1e3, max: rate.max / 1e3 }, 1, 'k')} | ${bareTimes.toFixed(2)}× |`,
    )
} finally {
  await closeOtherClients()
  client.disconnect()
  await server.stop()
}
