import type { EventEmitter } from 'node:events'
import { GlideClient, GlideClusterClient, Logger } from '@valkey/valkey-glide'
import { Cluster as IORedisCluster, Redis } from 'ioredis'
import { Redis as Valkey, Cluster as ValkeyCluster } from 'iovalkey'
import { createClient, createCluster } from 'redis'
import { afterAll, beforeAll } from 'vitest'
import type { RedisClient } from '../../src/index.js'
import { connectCluster, connectNodeRedis, connectNodeRedisCluster, connectStandalone, ports } from './redis.js'

/** Every client library RedisStore takes. */
export const clientLibraries = ['ioredis', 'iovalkey', 'node-redis', 'glide'] as const
export type ClientLibrary = (typeof clientLibraries)[number]

// GLIDE logs every error reply (NOSCRIPT included) as a warning on stdout; the limiter reports what matters.
Logger.setLoggerConfig('off')

/** GLIDE's default request timeout is 250 ms: a loaded 2-core machine running the suite can exceed it. */
const GLIDE_REQUEST_TIMEOUT_MS = 10_000

/** A connected client of `library` on a standalone server (one port) or on the servers of a Cluster (`cluster`). */
export async function openClient(
  library: ClientLibrary,
  serverPorts: readonly number[],
  cluster: boolean,
): Promise<{ client: RedisClient; close: () => Promise<unknown> }> {
  const nodes = serverPorts.map((port) => ({ host: '127.0.0.1', port }))
  if (library === 'glide') {
    const options = { addresses: nodes, requestTimeout: GLIDE_REQUEST_TIMEOUT_MS }
    const client = cluster ? await GlideClusterClient.createClient(options) : await GlideClient.createClient(options)
    return { client, close: async () => client.close() }
  }
  if (library === 'node-redis') {
    const urls = serverPorts.map((port) => ({ url: `redis://127.0.0.1:${port}` }))
    const client = cluster ? createCluster({ rootNodes: urls }) : createClient(urls[0])
    client.on('error', () => {}) // connection errors reach the limiter; the test needs no log of them
    await client.connect()
    return { client, close: () => client.close().catch(() => undefined) }
  }
  const node = nodes[0] as { host: string; port: number }
  const client: RedisClient & EventEmitter & { ping(): Promise<unknown>; quit(): Promise<unknown> } =
    library === 'iovalkey'
      ? cluster
        ? new ValkeyCluster(nodes)
        : new Valkey(node)
      : cluster
        ? new IORedisCluster(nodes)
        : new Redis(node)
  client.on('error', () => {})
  await client.ping()
  return { client, close: () => client.quit().catch(() => undefined) }
}

/**
 * A client of `library` on the suite's standalone server or Cluster, closed after the test file. GLIDE
 * connects as its client is made, so every client is read through the getter, after the file's
 * `beforeAll` hooks.
 */
export function connectWith(library: ClientLibrary, cluster: boolean): () => RedisClient {
  if (library === 'ioredis') {
    const client = cluster ? connectCluster() : connectStandalone()
    return () => client
  }
  if (library === 'node-redis') {
    const client = cluster ? connectNodeRedisCluster() : connectNodeRedis()
    return () => client
  }
  let opened: Awaited<ReturnType<typeof openClient>> | undefined
  beforeAll(async () => {
    opened = await openClient(library, cluster ? ports.clusterPorts : [ports.standalonePort], cluster)
  })
  afterAll(() => opened?.close())
  return () => {
    if (!opened) throw new Error(`the ${library} client is made in beforeAll: read it in a test or a hook`)
    return opened.client
  }
}
