import { Redis } from 'ioredis'
import { describe, expect, it, vi } from 'vitest'
import { RateLimiter, RedisStore } from '../src/index.js'
import { connectCluster, ports, privateRedis, scriptCalls, uniquePrefix } from './helpers/redis.js'

describe('a private Redis server', () => {
  const redis = privateRedis()

  it('sends the script again after SCRIPT FLUSH, once, and surfaces nothing', async () => {
    const onError = vi.fn()
    const limiter = new RateLimiter({
      store: new RedisStore({ client: redis.client }),
      prefix: uniquePrefix('flush'),
      onError,
    })
    await limiter.consume('client')
    await redis.client.script('FLUSH')
    await redis.client.config('RESETSTAT')
    for (let request = 0; request < 3; request++)
      expect(await limiter.consume('client')).toMatchObject({ allowed: true, degraded: false })
    expect(await scriptCalls(redis.client)).toEqual({ evalsha: 3, eval: 1 })
    expect(onError).not.toHaveBeenCalled()
  })

  it('decides again, with no error surfaced, once the server restarts on the same port', async () => {
    const onError = vi.fn()
    const limiter = new RateLimiter({
      store: new RedisStore({ client: redis.client }),
      prefix: uniquePrefix('restart'),
      onError,
    })
    expect((await limiter.consume('client')).degraded).toBe(false)
    await redis.server.stop()
    await redis.server.start()
    await new Promise((resolve) => redis.client.once('ready', resolve))
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
