import { RateLimitOptionsError } from '../errors.js'
import { describe } from '../validate.js'

/** The ioredis methods the store calls; an ioredis `Redis` or `Cluster` fits as it is. */
export interface IORedisClient {
  /** ioredis flattens array arguments: the keys and the arguments go as two arrays, not spread. */
  evalsha(sha1: string, numKeys: number, keys: string[], args: string[]): Promise<unknown>
  eval(script: string, numKeys: number, keys: string[], args: string[]): Promise<unknown>
  del(...keys: string[]): Promise<number>
  /** ioredis's connection status: `'ready'`, `'reconnecting'`, `'end'`… */
  readonly status?: string
  /** On a Cluster: the node keys (`host:port`) serving each slot, master first. */
  readonly slots?: readonly (readonly string[])[]
  readonly isCluster?: boolean
}

/** The node-redis (v5) methods the store calls; a client from `createClient` or `createCluster` fits. */
export interface NodeRedisClient {
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
  del(keys: string[]): Promise<number>
  readonly isOpen: boolean
  /** Present on a single client: false while it (re)connects. */
  readonly isReady?: boolean
  /** Present on a cluster: the master serving each slot. */
  readonly slots?: readonly ({ readonly master: { readonly address: string } } | undefined)[]
}

/** A client of either library. */
export type RedisClient = IORedisClient | NodeRedisClient

/** The narrow seam every Redis client library is mapped onto. */
export interface ScriptClient {
  evalsha(sha1: string, keys: string[], args: string[]): Promise<unknown>
  eval(source: string, keys: string[], args: string[]): Promise<unknown>
  del(keys: string[]): Promise<unknown>
  /**
   * True while the client knows it has no connection (reconnecting or closed): a command sent now
   * would wait in its offline queue and might run long after the decision gave up on it.
   */
  isDown(): boolean
  /** On a cluster, the master that serves `slot` (its failures are that master's); undefined otherwise. */
  readonly masterOf?: (slot: number) => string
}

const IOREDIS_DOWN = new Set(['reconnecting', 'close', 'end'])

/** Maps an ioredis or node-redis client onto the seam, without touching its options. */
export function toScriptClient(client: unknown): ScriptClient {
  const candidate = client as Partial<IORedisClient & NodeRedisClient> | null
  if (typeof candidate?.evalSha === 'function') {
    const nodeRedis = candidate as NodeRedisClient
    return {
      evalsha: (sha1, keys, args) => nodeRedis.evalSha(sha1, { keys, arguments: args }),
      eval: (source, keys, args) => nodeRedis.eval(source, { keys, arguments: args }),
      del: (keys) => nodeRedis.del(keys),
      isDown: () => !nodeRedis.isOpen || nodeRedis.isReady === false,
      ...(nodeRedis.slots && { masterOf: (slot: number) => nodeRedis.slots?.[slot]?.master.address ?? `slot ${slot}` }),
    }
  }
  if (typeof candidate?.evalsha === 'function' && typeof candidate.eval === 'function') {
    const ioredis = candidate as IORedisClient
    return {
      evalsha: (sha1, keys, args) => ioredis.evalsha(sha1, keys.length, keys, args),
      eval: (source, keys, args) => ioredis.eval(source, keys.length, keys, args),
      del: (keys) => ioredis.del(...keys),
      isDown: () => IOREDIS_DOWN.has(ioredis.status as string),
      ...(ioredis.isCluster && { masterOf: (slot: number) => ioredis.slots?.[slot]?.[0] ?? `slot ${slot}` }),
    }
  }
  throw new RateLimitOptionsError(
    `Expected \`client\` to be an ioredis Redis or Cluster, or a node-redis client or cluster, got ${describe(client)}`,
  )
}
