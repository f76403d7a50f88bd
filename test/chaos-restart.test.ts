import { monitorEventLoopDelay } from 'node:perf_hooks'
import { GlideClient, Logger } from '@valkey/valkey-glide'
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixedWindow, RateLimiter, type RedisClient, RedisStore, type ScriptsMode } from '../src/index.js'
import { steadyLoad } from './helpers/load.js'
import { uniquePrefix } from './helpers/redis.js'
import { type RedisServer, sleep, startRedisServer } from './helpers/redis-server.js'

// GLIDE logs every failed command while the server is down; the test counts them itself.
Logger.setLoggerConfig('off')

const TIMEOUT_MS = 100
const EVERY_MS = 5
const KILL_AT_MS = 1_000
const DOWN_MS = 2_000

/** A client, with what the test needs of it. */
interface Connection {
  client: RedisClient
  ready: () => Promise<void>
  close: () => void
}

interface Library {
  connect(port: number): Promise<Connection>
  /** How soon after the server is back we require Redis to decide again (the client's reconnect pace). */
  recoveryBudgetMs: number
  /** How long the load runs, outage included. */
  runMs: number
  /** Why the client may never reconnect after a restart (its own bug, not the store's), if it may. */
  mayNeverReconnect?: string
  /**
   * How long after its first answer the client may still miss one deadline while it settles, and
   * why (its own pace, not the store's). @default 0: every decision after the first answer is on Redis
   */
  settlesWithinMs?: number
  /** How the store runs its scripts. @default 'eval' */
  scripts?: ScriptsMode
}

/** ioredis, for its reconnect pace (see the `ioredis` entry below). */
async function connectIORedis(port: number): Promise<Connection> {
  const client = new Redis({ host: '127.0.0.1', port })
  client.on('error', () => {})
  await client.ping()
  return {
    client,
    ready: () => new Promise((resolve) => client.once('ready', resolve)),
    close: () => client.disconnect(),
  }
}

const libraries: Record<string, Library> = {
  // ioredis waits min(50 ms x attempts, 2 s) between reconnect attempts: after 2 s down, its next
  // try can come up to 2 s after the restart (1.65 s seen on a loaded machine). What the
  // store adds is checked apart: back within 1 s of the client's reconnection.
  ioredis: { connect: connectIORedis, recoveryBudgetMs: 2_500, runMs: 6_500 },
  // The restarted server has no persistence: the Functions library is gone and loaded again.
  'ioredis, scripts functions': {
    connect: connectIORedis,
    recoveryBudgetMs: 2_500,
    runMs: 6_500,
    scripts: 'functions',
  },
  // GLIDE reconnects on its own, with no event to tell: ready is when it answers a PING again.
  glide: {
    async connect(port) {
      const client = await GlideClient.createClient({ addresses: [{ host: '127.0.0.1', port }] })
      return {
        client,
        async ready() {
          while (
            !(await client.ping().then(
              () => true,
              () => false,
            ))
          )
            await sleep(10)
        },
        close: () => client.close(),
      }
    },
    recoveryBudgetMs: 3_000,
    runMs: 7_000,
    // GLIDE answers its first command after the restart while its connection is still settling: in
    // 2 of 8 suite runs on a loaded 2-core machine, calls right after that answer missed their 100 ms
    // deadline (once enough of them to open the breaker for a few decisions more).
    settlesWithinMs: 1_000,
  },
  // node-redis backs off exponentially up to 2 s (plus jitter) between reconnect attempts: its
  // own pace, which the store must not change, sets when it can be back.
  'node-redis': {
    async connect(port) {
      const client = createClient({ url: `redis://127.0.0.1:${port}` })
      client.on('error', () => {})
      await client.connect()
      return {
        client,
        ready: () => new Promise((resolve) => client.once('ready', resolve)),
        close: () => client.destroy(),
      }
    },
    recoveryBudgetMs: 3_000,
    runMs: 7_500,
    // Seen about once in 6 kills with node-redis 5.9, in a plain script too: it reconnects within
    // ms of the kill, then reports isReady with no socket at all (ss shows none) and never answers
    // again. The store stays within its deadline and degraded, which is all it can do.
    mayNeverReconnect: 'node-redis 5.9 may report isReady with no socket after the kill and never reconnect',
  },
}

/** What the decisions saw while the server was killed and restarted under steady load. */
interface Outage {
  samples: { startedMs: number; latencyMs: number; degraded: boolean }[]
  rejections: unknown[]
  errors: { atMs: number; error: unknown }[]
  restartedAtMs: number
  /** When the client was ready again: infinite if it never was within the run. */
  clientReadyAtMs: number
  /** The longest the event loop was held up during the run, in ms. */
  loopHeldMs: number
}

/** Kills the server at KILL_AT_MS, starts it again DOWN_MS later, under steady decisions throughout. */
async function killUnderLoad(library: Library, server: RedisServer, client: Connection): Promise<Outage> {
  const errors: Outage['errors'] = []
  const limiter = new RateLimiter({
    store: new RedisStore({ client: client.client, scripts: library.scripts ?? 'eval' }),
    policy: fixedWindow({ limit: 1_000_000, windowMs: 60_000 }),
    prefix: uniquePrefix('chaos'),
    timeoutMs: TIMEOUT_MS,
    onError: (error) => errors.push({ atMs: performance.now() - startMs, error }),
  })
  let restartedAtMs = Number.POSITIVE_INFINITY
  let clientReadyAtMs = Number.POSITIVE_INFINITY
  const startMs = performance.now()
  const outage = (async () => {
    await sleep(KILL_AT_MS)
    await server.kill()
    await sleep(DOWN_MS)
    const ready = Promise.race([
      client.ready().then(() => {
        clientReadyAtMs = performance.now() - startMs
      }),
      sleep(library.runMs),
    ])
    await server.start()
    restartedAtMs = performance.now() - startMs
    await ready
  })()
  // A deadline's timer fires only once the event loop is free: how long the loop was ever held up
  // (the restart, a client's reconnection work) is time no deadline could keep.
  const loopDelay = monitorEventLoopDelay({ resolution: 1 })
  loopDelay.enable()
  const { samples, rejections } = await steadyLoad(library.runMs, EVERY_MS, () => limiter.consume('steady'))
  await outage
  loopDelay.disable()
  const seen = samples.map(({ startedMs, latencyMs, value }) => ({ startedMs, latencyMs, degraded: value.degraded }))
  return { samples: seen, rejections, errors, restartedAtMs, clientReadyAtMs, loopHeldMs: loopDelay.max / 1e6 }
}

/** Most outages run to see the client reconnect, when a client bug may keep it from reconnecting. */
const MOST_OUTAGES = 3

describe.each(Object.keys(libraries))('killing the Redis server under steady load (%s)', (name) => {
  const library = libraries[name] as Library
  let server: RedisServer
  let connection: Connection
  const unhandled: unknown[] = []
  const recordUnhandled = (reason: unknown) => unhandled.push(reason)
  beforeAll(async () => {
    server = await startRedisServer()
    connection = await library.connect(server.port)
    process.on('unhandledRejection', recordUnhandled)
  })
  afterAll(async () => {
    process.off('unhandledRejection', recordUnhandled)
    connection.close()
    await server.destroy()
  })

  it('keeps every decision within timeoutMs + 20 ms (and any time the event loop was held up), rejects none, and returns to Redis after the restart', async () => {
    let run = await killUnderLoad(library, server, connection)
    // An outage the client never came back from tells nothing of the store's recovery: with a
    // client known to miss its reconnection now and then, a fresh one goes through another outage.
    for (let outages = 1; !Number.isFinite(run.clientReadyAtMs) && outages < MOST_OUTAGES; outages++) {
      console.warn(`${name}: the client never reconnected after the restart (${library.mayNeverReconnect})`)
      expect(library.mayNeverReconnect, `${name} never reconnected`).toBeDefined()
      connection.close()
      connection = await library.connect(server.port)
      run = await killUnderLoad(library, server, connection)
    }
    const { samples, rejections, errors, restartedAtMs, clientReadyAtMs, loopHeldMs } = run
    const slowestMs = Math.max(...samples.map((sample) => sample.latencyMs))
    const degraded = samples.filter((sample) => sample.degraded)
    const backAtMs = samples.find((sample) => sample.startedMs > restartedAtMs && !sample.degraded)?.startedMs
    const backAfterRestartMs = (backAtMs ?? Number.POSITIVE_INFINITY) - restartedAtMs
    const backAfterReadyMs = (backAtMs ?? Number.POSITIVE_INFINITY) - clientReadyAtMs
    console.info(
      `${name}: ${samples.length} decisions, slowest ${slowestMs.toFixed(1)} ms (timeoutMs ${TIMEOUT_MS}, ` +
        `event loop held up ${loopHeldMs.toFixed(1)} ms at most), ` +
        `${degraded.length} degraded, ${errors.length} reported to onError, ${rejections.length} rejected; ` +
        `back on Redis ${backAfterRestartMs.toFixed(0)} ms after the restart (${backAfterReadyMs.toFixed(0)} ms after the client reconnected)`,
    )
    const afterRestart = errors.filter(({ atMs }) => atMs > restartedAtMs)
    if (afterRestart.length > 0)
      console.info(
        `${name}: failures after the restart:`,
        afterRestart.map(({ atMs, error }) => `${atMs.toFixed(0)} ms ${error}`),
      )
    expect(rejections).toEqual([])
    expect(unhandled).toEqual([])
    expect(slowestMs).toBeLessThanOrEqual(TIMEOUT_MS + 20 + loopHeldMs)
    expect(degraded.length).toBeGreaterThan(0)
    expect(errors.length).toBeGreaterThan(0)
    expect(clientReadyAtMs, `${name} reconnected in one of ${MOST_OUTAGES} outages`).toBeLessThan(library.runMs)
    expect(backAfterRestartMs).toBeLessThanOrEqual(library.recoveryBudgetMs)
    expect(backAfterReadyMs).toBeLessThanOrEqual(1_000)
    const settledAtMs = (backAtMs ?? 0) + (library.settlesWithinMs ?? 0)
    expect(samples.filter((sample) => sample.startedMs > settledAtMs && sample.degraded)).toEqual([])
  }, 60_000) // up to MOST_OUTAGES outages of runMs each
})
