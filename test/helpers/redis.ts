import { randomBytes } from 'node:crypto'
import { Cluster, Redis } from 'ioredis'
import { createClient, createCluster } from 'redis'
import { afterAll, beforeAll, inject } from 'vitest'
import { type RedisServer, startRedisServer } from './redis-server.js'

/** Ports of the servers the global setup started. */
export const ports = inject('redis')

/** Both deployments every Lua path is tested on. */
export const deployments = ['standalone', 'cluster'] as const
export type Deployment = (typeof deployments)[number]

/** A client for the test's standalone server (or `port`), quit after this test file. */
export function connectStandalone(port = ports.standalonePort): Redis {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: false })
  afterAll(() => client.quit().catch(() => undefined))
  return client
}

/** A client for the test's 3-master Cluster, quit after this test file. */
export function connectCluster(): Cluster {
  const client = new Cluster(ports.clusterPorts.map((port) => ({ host: '127.0.0.1', port })))
  afterAll(() => client.quit().catch(() => undefined))
  return client
}

/** A node-redis (v5) client for the test's standalone server, connected before the file's tests. */
export function connectNodeRedis() {
  const client = createClient({ url: `redis://127.0.0.1:${ports.standalonePort}` })
  client.on('error', () => {}) // connection errors reach the limiter; the test needs no log of them
  beforeAll(() => client.connect().then(() => undefined))
  afterAll(() => client.close())
  return client
}

/** A node-redis (v5) client for the test's Cluster, connected before the file's tests. */
export function connectNodeRedisCluster() {
  const client = createCluster({ rootNodes: ports.clusterPorts.map((port) => ({ url: `redis://127.0.0.1:${port}` })) })
  client.on('error', () => {})
  beforeAll(() => client.connect().then(() => undefined))
  afterAll(() => client.close())
  return client
}

/** A client for one deployment. */
export function connect(deployment: Deployment): Redis | Cluster {
  return deployment === 'standalone' ? connectStandalone() : connectCluster()
}

/** A key prefix no other test uses; the after-file scan checks keys under `test-` for TTLs. */
export function uniquePrefix(label: string): string {
  return `test-${label}-${randomBytes(4).toString('hex')}`
}

/** How many EVALSHA and EVAL calls the server ran since its last CONFIG RESETSTAT. */
export async function scriptCalls(client: Redis): Promise<{ evalsha: number; eval: number }> {
  const stats = await client.info('commandstats')
  const calls = (command: string) => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0)
  return { evalsha: calls('evalsha'), eval: calls('eval') }
}

/**
 * A redis-server of the calling file's (or describe block's) own, with an ioredis client on it,
 * both stopped after it: for tests that stop, freeze or count commands on their server.
 */
export function privateRedis(): { server: RedisServer; client: Redis } {
  const handle = {} as { server: RedisServer; client: Redis }
  beforeAll(async () => {
    handle.server = await startRedisServer()
    handle.client = new Redis({ host: '127.0.0.1', port: handle.server.port })
    handle.client.on('error', () => {}) // outages are the point here; the limiter reports them
    await handle.client.ping()
  })
  afterAll(async () => {
    handle.client.disconnect()
    await handle.server.destroy()
  })
  return handle
}
