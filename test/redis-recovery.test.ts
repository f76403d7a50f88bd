import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { RateLimiter, RedisStore } from '../src/index.js'
import { connectCluster, ports, scriptCalls, uniquePrefix } from './helpers/redis.js'
import { type RedisServer, startRedisServer } from './helpers/redis-server.js'

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
