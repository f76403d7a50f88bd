import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { Cluster } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixedWindow, RateLimiter, RedisStore } from '../src/index.js'
import { functionsLibrary } from '../src/redis/functions.js'
import { redisKeys } from '../src/redis-store.js'
import { openClient } from './helpers/clients.js'
import { clearOfWindowEdge } from './helpers/clocks.js'
import { steadyLoad } from './helpers/load.js'
import { uniquePrefix } from './helpers/redis.js'
import { type RedisCluster, type RedisServer, rawCommand, sleep, startRedisCluster } from './helpers/redis-server.js'

const LIMIT = 50
const noop = async () => undefined
const execFileAsync = promisify(execFile)

/** Runs one command on one node with redis-cli and returns its reply lines. */
async function onNode(port: number, ...command: string[]): Promise<string[]> {
  const { stdout } = await execFileAsync('redis-cli', ['-p', String(port), ...command], { timeout: 5_000 })
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
}

const nodeId = async (port: number) => (await onNode(port, 'CLUSTER', 'MYID'))[0] as string

describe('a 3-master, 3-replica Cluster under faults', () => {
  let cluster: RedisCluster
  let client: Cluster
  let store: RedisStore
  beforeAll(async () => {
    // Fast failure detection, so a replica takes over within a couple of seconds; and, as a Cluster
    // that must stay available needs, the other masters keep serving while one slot range is down.
    cluster = await startRedisCluster(3, 1, ['--cluster-node-timeout', '1000', '--cluster-require-full-coverage', 'no'])
    client = new Cluster(cluster.nodes.map(({ port }) => ({ host: '127.0.0.1', port })))
    client.on('error', () => {})
    store = new RedisStore({ client })
    await client.ping()
  }, 60_000)
  afterAll(async () => {
    client.disconnect()
    await cluster.destroy()
  })

  const policy = fixedWindow({ limit: LIMIT, windowMs: 3_600_000 })
  const domainOf = (key: string) => store.failureDomain({ prefix: 'rl', key, policies: [policy] })
  /** Client keys whose slots the given master serves (or any other master, with `other`). */
  function keysServedBy(address: string, count: number, other = false): string[] {
    const keys: string[] = []
    for (let index = 0; keys.length < count; index++)
      if ((domainOf(`client-${index}`) === address) !== other) keys.push(`client-${index}`)
    return keys
  }

  const flushCases = [
    { library: 'ioredis', scripts: 'eval', flush: 'SCRIPT FLUSH' },
    { library: 'ioredis', scripts: 'functions', flush: 'FUNCTION FLUSH' },
    { library: 'glide', scripts: 'eval', flush: 'SCRIPT FLUSH' },
    { library: 'glide', scripts: 'functions', flush: 'FUNCTION FLUSH' },
  ] as const
  it.each(flushCases)(
    'keeps deciding when $flush hits every node mid-load ($library), with nothing surfaced',
    async ({ library, scripts, flush: command }) => {
      const ports = cluster.nodes.map(({ port }) => port)
      const { client: flushed, close } =
        library === 'ioredis' ? { client, close: noop } : await openClient(library, ports, true)
      const errors: unknown[] = []
      const limiter = new RateLimiter({
        store: new RedisStore({ client: flushed, scripts }),
        prefix: uniquePrefix('flush'),
        onError: (error) => errors.push(error),
      })
      // FUNCTION FLUSH writes, so it goes to the masters (their replicas follow); SCRIPT FLUSH to every node.
      const targets = command === 'SCRIPT FLUSH' ? ports : (await mastersOf(cluster)).map(({ port }) => port)
      // Over a socket, not redis-cli: spawning six processes would stall this event loop, not the store.
      const flush = sleep(300).then(() => Promise.all(targets.map((port) => rawCommand(port, command))))
      const { samples, rejections } = await steadyLoad(800, 2, (elapsedMs) =>
        limiter.consume(`client-${Math.floor(elapsedMs)}`),
      )
      await close()
      expect(await flush).toEqual(targets.map(() => '+OK\r\n'))
      expect(rejections).toEqual([])
      expect(errors).toEqual([])
      expect(samples.filter(({ value }) => value.degraded)).toEqual([])
    },
  )

  it('loads the Functions library on the master that lacked it, and only there', async () => {
    const masters = await mastersOf(cluster)
    await Promise.all(masters.map(({ port }) => rawCommand(port, 'FUNCTION FLUSH')))
    const limiter = new RateLimiter({
      store: new RedisStore({ client, scripts: 'functions' }),
      prefix: uniquePrefix('load'),
    })
    const served = masters[1] as RedisServer
    for (const key of keysServedBy(`127.0.0.1:${served.port}`, 3))
      expect((await limiter.consume(key)).degraded).toBe(false)
    const loaded = await Promise.all(masters.map(({ port }) => onNode(port, 'FUNCTION', 'LIST')))
    expect(loaded.map((lines) => lines.includes(functionsLibrary().name))).toEqual(
      masters.map((node) => node === served),
    )
  })

  it('migrates a slot with live keys while deciding on them: exact, with no CROSSSLOT, MOVED or ASK surfaced', async () => {
    const errors: unknown[] = []
    const policies = [policy, fixedWindow({ limit: LIMIT * 2, windowMs: 86_400_000 })]
    const prefix = uniquePrefix('migrate')
    const limiter = new RateLimiter({
      store,
      policy: policies,
      prefix,
      timeoutMs: 5_000,
      onError: (error) => errors.push(error),
    })
    const key = 'migrating-client'
    const [redisKey] = redisKeys({ prefix, key, policies })
    const slot = Number(await client.call('CLUSTER', 'KEYSLOT', redisKey as string))
    const masters = cluster.nodes.filter(({ port }) => domainOf(key) === `127.0.0.1:${port}`)
    const source = masters[0] as RedisServer
    const target = (await mastersOf(cluster)).find((node) => node !== source) as RedisServer
    await clearOfWindowEdge(policy.windowMs, 5_000)
    await limiter.consume(key)

    const migration = (async () => {
      await sleep(100)
      const [sourceId, targetId] = await Promise.all([nodeId(source.port), nodeId(target.port)])
      await onNode(target.port, 'CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', sourceId)
      await onNode(source.port, 'CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', targetId)
      for (;;) {
        const keys = await onNode(source.port, 'CLUSTER', 'GETKEYSINSLOT', String(slot), '100')
        if (keys.length === 0) break
        await onNode(source.port, 'MIGRATE', '127.0.0.1', String(target.port), '', '0', '5000', 'KEYS', ...keys)
        await sleep(20)
      }
      for (const node of await mastersOf(cluster))
        await onNode(node.port, 'CLUSTER', 'SETSLOT', String(slot), 'NODE', targetId)
    })()
    const { samples, rejections } = await steadyLoad(600, 3, () => limiter.consume(key))
    await migration
    expect(await limiter.consume(key)).toMatchObject({ allowed: false, degraded: false })
    const allowed = samples.filter(({ value }) => value.allowed).length + 1
    console.info(`slot ${slot} migrated from :${source.port} to :${target.port} under ${samples.length} decisions`)
    expect(rejections).toEqual([])
    expect(errors).toEqual([])
    expect(samples.filter(({ value }) => value.degraded)).toEqual([])
    expect(allowed).toBe(LIMIT)
    expect(await onNode(source.port, 'CLUSTER', 'COUNTKEYSINSLOT', String(slot))).toEqual(['0'])
    expect(Number((await onNode(target.port, 'CLUSTER', 'COUNTKEYSINSLOT', String(slot)))[0])).toBeGreaterThan(0)
  })

  it('resumes on a killed master’s slots once its replica takes over, and stays exact on the other masters', async () => {
    const errors: unknown[] = []
    const prefix = uniquePrefix('failover')
    const limiter = new RateLimiter({ store, policy, prefix, onError: (error) => errors.push(error) })
    const victim = (await mastersOf(cluster))[0] as RedisServer
    const victimKeys = keysServedBy(`127.0.0.1:${victim.port}`, 5)
    const healthyKeys = keysServedBy(`127.0.0.1:${victim.port}`, 5, true)
    await clearOfWindowEdge(policy.windowMs, 10_000)
    let killedAtMs = Number.POSITIVE_INFINITY
    let promotedAtMs = Number.POSITIVE_INFINITY
    const startMs = performance.now()
    const failover = (async () => {
      await sleep(500)
      await victim.kill()
      killedAtMs = performance.now() - startMs
      const survivor = cluster.nodes.find((node) => node !== victim) as RedisServer
      while (
        !String(await onNode(survivor.port, 'CLUSTER', 'INFO')).includes('cluster_state:ok') ||
        (await mastersOf(cluster)).length < 3
      )
        await sleep(50)
      promotedAtMs = performance.now() - startMs
    })()
    const { samples, rejections } = await steadyLoad(7_000, 5, (elapsedMs) => {
      const keys = Math.floor(elapsedMs / 5) % 2 === 0 ? victimKeys : healthyKeys
      const key = keys[Math.floor(elapsedMs) % keys.length] as string
      return limiter.consume(key).then((result) => ({ key, result }))
    })
    await failover

    const onVictim = samples.filter(({ value }) => victimKeys.includes(value.key))
    const onHealthy = samples.filter(({ value }) => healthyKeys.includes(value.key))
    const resumedAtMs = onVictim.find(
      ({ startedMs, value }) => startedMs > promotedAtMs && !value.result.degraded,
    )?.startedMs
    const lastDegradedMs = Math.max(
      0,
      ...onVictim.filter(({ value }) => value.result.degraded).map(({ startedMs }) => startedMs),
    )
    console.info(
      `failover: master :${victim.port} killed at ${killedAtMs.toFixed(0)} ms, replica promoted at ${promotedAtMs.toFixed(0)} ms, ` +
        `its slots decided by Redis again at ${resumedAtMs?.toFixed(0)} ms (last degraded at ${lastDegradedMs.toFixed(0)} ms); ` +
        `${onHealthy.length} decisions on other masters, ${onHealthy.filter(({ value }) => value.result.degraded).length} degraded; ` +
        `${errors.length} failures reported to onError, ${rejections.length} rejected`,
    )
    expect(rejections).toEqual([])
    expect(resumedAtMs).toBeDefined()
    expect(lastDegradedMs).toBeLessThan(promotedAtMs + 2_000)
    expect(onHealthy.filter(({ value }) => value.result.degraded)).toEqual([])
    for (const key of healthyKeys) {
      const allowed = onHealthy.filter(({ value }) => value.key === key && value.result.allowed).length
      expect(allowed, key).toBe(Math.min(LIMIT, onHealthy.filter(({ value }) => value.key === key).length))
    }
  })
})

/** The servers that are masters now, by their own account. */
async function mastersOf(cluster: RedisCluster): Promise<RedisServer[]> {
  const masters: RedisServer[] = []
  for (const node of cluster.nodes) {
    if (node.pid === undefined) continue
    const role = await onNode(node.port, 'ROLE').catch(() => [])
    if (role[0] === 'master') masters.push(node)
  }
  return masters
}
