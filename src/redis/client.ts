import { RateLimitOptionsError } from '../errors.js'
import { describe } from '../validate.js'
import { fromGlide, type ValkeyGlideClient } from './glide-client.js'
import { fromIORedis, type IORedisClient } from './ioredis-client.js'
import { fromNodeRedis, type NodeRedisClient } from './node-redis-client.js'

export type { ValkeyGlideClient } from './glide-client.js'
export type { IORedisClient } from './ioredis-client.js'
export type { NodeRedisClient } from './node-redis-client.js'

/** A client of any supported library: ioredis or iovalkey, node-redis, Valkey GLIDE. */
export type RedisClient = IORedisClient | NodeRedisClient | ValkeyGlideClient

/** The narrow seam every Redis client library is mapped onto. */
export interface ScriptClient {
  evalsha(sha1: string, keys: string[], args: string[]): Promise<unknown>
  eval(source: string, keys: string[], args: string[]): Promise<unknown>
  /** FCALL, or FCALL_RO when `readOnly` (a function flagged `no-writes`, which a replica may serve). */
  fcall(name: string, keys: string[], args: string[], readOnly: boolean): Promise<unknown>
  /** FUNCTION LOAD of a library; on a Cluster, on the master serving `key`'s slot (the node that lacked it). */
  loadFunctions(source: string, key: string): Promise<unknown>
  del(keys: string[]): Promise<unknown>
  /**
   * True while the client knows it has no connection (reconnecting or closed): a command sent now
   * would wait in its offline queue and might run long after the decision gave up on it.
   */
  isDown(): boolean
  /** True on a Cluster: the keys of one script call must share a slot. */
  readonly cluster: boolean
  /**
   * True when the client writes its commands at the end of the event loop's turn (in a
   * `setImmediate`, as node-redis does) rather than as they are sent: a command sent from a
   * `setImmediate` then waits for the turn after.
   */
  readonly writesAtEndOfTurn?: boolean
  /** On a cluster whose client shows its slot map, the master that serves `slot` (its failures are that master's). */
  readonly masterOf?: (slot: number) => string
}

/** Maps an ioredis, iovalkey, node-redis or Valkey GLIDE client onto the seam, without touching its options. */
export function toScriptClient(client: unknown): ScriptClient {
  const candidate = client as Record<string, unknown> | null
  if (isIORedisMock(candidate))
    throw new RateLimitOptionsError(
      'Expected `client` to be a client of a real Redis server, got an ioredis-mock client: its Lua runs with ' +
        '32-bit integers, so the epoch milliseconds the scripts count with overflow and every decision would fail. ' +
        'In unit tests use a MemoryStore, which decides exactly as RedisStore does (inject a `clock` to move time); ' +
        'in integration tests use a real redis-server.',
    )
  if (typeof candidate?.fcallReadonly === 'function' && typeof candidate.customCommand === 'function')
    return fromGlide(candidate as unknown as ValkeyGlideClient)
  if (typeof candidate?.evalSha === 'function') return fromNodeRedis(candidate as unknown as NodeRedisClient)
  if (typeof candidate?.evalsha === 'function' && typeof candidate.eval === 'function')
    return fromIORedis(candidate as unknown as IORedisClient)
  throw new RateLimitOptionsError(
    'Expected `client` to be an ioredis or iovalkey Redis or Cluster, a node-redis client or cluster, or a ' +
      `Valkey GLIDE client, got ${describe(client)}`,
  )
}

/**
 * ioredis-mock, known by the fields its in-memory server keeps on every client (its class names
 * change with its bundler): it would take the scripts, then fail every one of them.
 */
function isIORedisMock(candidate: Record<string, unknown> | null): boolean {
  return candidate !== null && typeof candidate === 'object' && 'shaScripts' in candidate && 'keyData' in candidate
}
