// A node-redis client or cluster under the store, made in each test: a key reset with DEL, and a
// client that is reconnecting or closed refused at once, without waiting for a deadline.
import { createClient, createCluster } from 'redis'
import { describe, expect, it, vi } from 'vitest'
import { fixedWindow, RateLimiter, RedisStore } from '../src/index.js'
import { ports, uniquePrefix } from './helpers/redis.js'
import { startRedisServer } from './helpers/redis-server.js'

const policy = fixedWindow({ limit: 1, windowMs: 60_000 })

describe('a node-redis client', () => {
  it('resets a client key by deleting it', async () => {
    const client = createClient({ url: `redis://127.0.0.1:${ports.standalonePort}` })
    await client.connect()
    try {
      const limiter = new RateLimiter({ store: new RedisStore({ client }), policy, prefix: uniquePrefix('nr-reset') })
      await limiter.consume('client')
      expect((await limiter.consume('client')).allowed).toBe(false)
      await limiter.reset('client')
      expect((await limiter.consume('client')).allowed).toBe(true)
    } finally {
      await client.close()
    }
  })

  it('on a Cluster, is refused at once once it is closed', async () => {
    const cluster = createCluster({
      rootNodes: ports.clusterPorts.map((port) => ({ url: `redis://127.0.0.1:${port}` })),
    })
    cluster.on('error', () => {})
    await cluster.connect()
    const onError = vi.fn()
    const store = new RedisStore({ client: cluster })
    const limiter = new RateLimiter({
      store,
      policy,
      prefix: uniquePrefix('nr-closed'),
      onError,
      onStoreError: 'allow',
    })
    expect((await limiter.consume('client')).degraded).toBe(false)
    cluster.destroy()
    expect((await limiter.consume('client')).degraded).toBe(true)
    expect(String(onError.mock.calls.at(-1)?.[0])).toContain('the Redis client is reconnecting or closed')
  })

  it('is refused at once while it reconnects, and once it is closed', async () => {
    const server = await startRedisServer()
    const client = createClient({ url: `redis://127.0.0.1:${server.port}`, socket: { reconnectStrategy: 100 } })
    client.on('error', () => {})
    await client.connect()
    const onError = vi.fn()
    const limiter = new RateLimiter({
      store: new RedisStore({ client }),
      policy,
      prefix: uniquePrefix('nr-down'),
      onError,
      onStoreError: 'allow',
      timeoutMs: 5_000,
    })
    try {
      expect((await limiter.consume('client')).degraded).toBe(false)
      await server.stop()
      await vi.waitFor(() => expect(client.isReady).toBe(false))
      expect(client.isOpen).toBe(true) // reconnecting
      expect((await limiter.consume('client')).degraded).toBe(true)
      expect(String(onError.mock.calls.at(-1)?.[0])).toContain('the Redis client is reconnecting or closed')
      client.destroy()
      expect((await limiter.consume('client')).degraded).toBe(true)
      expect(String(onError.mock.calls.at(-1)?.[0])).toContain('the Redis client is reconnecting or closed')
    } finally {
      if (client.isOpen) client.destroy()
      await server.destroy()
    }
  })
})
