import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { fixedWindow, RateLimiter, RedisStore } from '../src/index.js'
import { connectCluster, ports, uniquePrefix } from './helpers/redis.js'
import { type RedisServer, startRedisServer } from './helpers/redis-server.js'

/** Counts of script commands the server has run since the last CONFIG RESETSTAT. */
async function scriptCalls(client: Redis): Promise<{ evalsha: number; eval: number }> {
  const stats = await client.info('commandstats')
  const calls = (command: string) => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0)
  return { evalsha: calls('evalsha'), eval: calls('eval') }
}

describe('a private Redis server', () => {
  let server: RedisServer
  let client: Redis
  beforeAll(async () => {
    server = await startRedisServer()
    client = new Redis({ host: '127.0.0.1', port: server.port })
  })
  afterAll(async () => {
    client.disconnect()
    await server.destroy()
  })

  it('runs one script call per decision, with two policies', async () => {
    const policy = [fixedWindow({ limit: 5, windowMs: 60_000 }), fixedWindow({ limit: 8, windowMs: 3_600_000 })]
    const limiter = new RateLimiter({ store: new RedisStore({ client }), policy, prefix: uniquePrefix('stats') })
    await limiter.peek('client') // loads the script
    await client.config('RESETSTAT')
    const results = []
    for (let request = 0; request < 7; request++) results.push(await limiter.consume('client'))
    expect(results.map((result) => result.allowed)).toEqual([true, true, true, true, true, false, false])
    expect(results[6]?.policies[1]?.remaining).toBe(3)
    expect(await scriptCalls(client)).toEqual({ evalsha: 7, eval: 0 })
  })

  it('sends the script again after SCRIPT FLUSH, once, and surfaces nothing', async () => {
    const onError = vi.fn()
    const limiter = new RateLimiter({ store: new RedisStore({ client }), prefix: uniquePrefix('flush'), onError })
    await limiter.consume('client')
    await client.script('FLUSH')
    await client.config('RESETSTAT')
    for (let request = 0; request < 3; request++)
      expect(await limiter.consume('client')).toMatchObject({ allowed: true, degraded: false })
    expect(await scriptCalls(client)).toEqual({ evalsha: 3, eval: 1 })
    expect(onError).not.toHaveBeenCalled()
  })

  it('decides again, with no error surfaced, once the server restarts on the same port', async () => {
    const onError = vi.fn()
    const limiter = new RateLimiter({ store: new RedisStore({ client }), prefix: uniquePrefix('restart'), onError })
    expect((await limiter.consume('client')).degraded).toBe(false)
    await server.stop()
    await server.start()
    await new Promise((resolve) => client.once('ready', resolve))
    for (let request = 0; request < 3; request++)
      expect(await limiter.consume('client')).toMatchObject({ allowed: true, degraded: false })
    expect(onError).not.toHaveBeenCalled()
  })
})

describe('SCRIPT FLUSH on every node of the Cluster', () => {
  const cluster = connectCluster()

  it('surfaces no error to the caller', async () => {
    const onError = vi.fn()
    const limiter = new RateLimiter({
      store: new RedisStore({ client: cluster }),
      prefix: uniquePrefix('flush'),
      onError,
    })
    const keys = Array.from({ length: 30 }, (_, index) => `client-${index}`)
    for (const key of keys) await limiter.consume(key)
    await Promise.all(ports.clusterPorts.map((port) => flushScripts(port)))
    for (const key of keys) expect(await limiter.consume(key)).toMatchObject({ allowed: true, degraded: false })
    expect(onError).not.toHaveBeenCalled()
  })
})

async function flushScripts(port: number): Promise<void> {
  const node = new Redis({ host: '127.0.0.1', port })
  await node.script('FLUSH')
  node.disconnect()
}
