// npm run bench:allocations [-- <dist directory>]: heap bytes one decision allocates, on the memory
// store and on Redis, with nobody listening to the diagnostics channels and with a subscriber on
// every one. Bytes are counted, not time: the figure does not move with the load of a shared
// machine. The young generation is made large enough (see package.json) that no collection runs
// while decisions are counted, so the growth of the heap is what they allocated; a run that a
// collection interrupted anyway is thrown away and counted again.
//
// Given the dist/ of another build (say, the commit before the channels), it measures that build:
// the same figures with nobody listening are what "no cost when nobody listens" means.
import { subscribe, tracingChannel } from 'node:diagnostics_channel'
import { resolve } from 'node:path'
import { PerformanceObserver } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { Redis } from 'ioredis'
import { startRedisServer } from './redis-server.js'

const RUNS = 5
const dist = resolve(process.argv[2] ?? 'dist')
const { RateLimiter, RedisStore, fixedWindow, channelNames } = await import(pathToFileURL(`${dist}/index.mjs`).href)

let collections = 0
new PerformanceObserver((list) => {
  collections += list.getEntries().length
}).observe({ entryTypes: ['gc'] })

/**
 * Decides `decisions` times over 1,024 keys, one at a time or `inFlight` at once (on Redis, one
 * coalesced script call); resolves to bytes per decision, or undefined if a collection ran.
 */
async function bytesPerDecision({ limiter, inFlight, decisions }) {
  const decideAll = async () => {
    for (let sent = 0; sent < decisions; sent += inFlight)
      if (inFlight === 1) await limiter.consume(`k${sent % 1_024}`)
      else
        await Promise.all(Array.from({ length: inFlight }, (_, index) => limiter.consume(`k${(sent + index) % 1_024}`)))
  }
  await decideAll() // warm: JIT, the store's keys
  globalThis.gc()
  await settled()
  const collectionsBefore = collections
  const heapBefore = process.memoryUsage().heapUsed
  await decideAll()
  const grownBytes = process.memoryUsage().heapUsed - heapBefore
  await settled()
  return collections === collectionsBefore ? grownBytes / decisions : undefined
}

/** Waits until the observer has been told of the collections so far: it hears of them later. */
function settled() {
  return new Promise((done) => setTimeout(done, 50))
}

/** Subscribes a no-op to every channel of the build (none before the channels existed). */
function listenToAll() {
  if (!channelNames) return false
  const ignore = () => {}
  for (const name of ['decision', 'storeError', 'breaker', 'blockCache']) subscribe(channelNames[name], ignore)
  tracingChannel(channelNames.store).subscribe({ start: ignore, end: ignore, asyncStart: ignore, asyncEnd: ignore })
  return true
}

/** The median of RUNS uninterrupted runs, and their spread. */
async function measure(workload) {
  const figures = []
  for (let attempt = 0; figures.length < RUNS && attempt < 4 * RUNS; attempt++) {
    const bytes = await bytesPerDecision(workload)
    if (bytes !== undefined) figures.push(bytes)
  }
  if (figures.length === 0) return 'every run was interrupted by a collection'
  figures.sort((a, b) => a - b)
  const median = figures[Math.floor(figures.length / 2)]
  return `${median.toFixed(1)} B/decision (${figures[0].toFixed(1)}–${figures.at(-1).toFixed(1)}, ${figures.length} runs)`
}

const server = await startRedisServer()
const client = new Redis({ port: server.port, host: '127.0.0.1' })
try {
  const policy = fixedWindow({ limit: 1_000_000, windowMs: 60_000 })
  const onRedis = new RateLimiter({ store: new RedisStore({ client }), policy, prefix: 'alloc-redis' })
  const workloads = {
    'memory, one at a time': { limiter: new RateLimiter({ policy }), inFlight: 1, decisions: 100_000 },
    'Redis, one at a time': { limiter: onRedis, inFlight: 1, decisions: 10_240 },
    'Redis, 32 at once': { limiter: onRedis, inFlight: 32, decisions: 20_480 },
  }
  console.log(`build: ${dist}`)
  for (const [name, workload] of Object.entries(workloads))
    console.log(`${name}, nobody listening: ${await measure(workload)}`)
  if (listenToAll())
    for (const [name, workload] of Object.entries(workloads))
      console.log(`${name}, every channel listened to: ${await measure(workload)}`)
} finally {
  client.disconnect()
  await server.stop()
}
