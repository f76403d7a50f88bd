import type { ScriptClient } from './client.js'
import { keySlot } from './slot.js'

/** The ioredis (or iovalkey) methods the store calls; a `Redis` or `Cluster` of either fits as it is. */
export interface IORedisClient {
  /** ioredis flattens array arguments: the keys and the arguments go as two arrays, not spread. */
  evalsha(sha1: string, numKeys: number, keys: string[], args: string[]): Promise<unknown>
  eval(script: string, numKeys: number, keys: string[], args: string[]): Promise<unknown>
  /** Any command, for FCALL and FUNCTION LOAD (ioredis before 5.3 has no method of their name). */
  call(command: string, args: (string | number)[]): Promise<unknown>
  del(...keys: string[]): Promise<number>
  /** ioredis's connection status: `'ready'`, `'reconnecting'`, `'end'`… */
  readonly status?: string
  /** On a Cluster: the node keys (`host:port`) serving each slot, master first. */
  readonly slots?: readonly (readonly string[])[]
  readonly isCluster?: boolean
  /** On a Cluster: a client per node. */
  nodes?(role: 'master'): readonly IORedisNode[]
}

/** One node's client in an ioredis Cluster. */
export interface IORedisNode {
  readonly options: { readonly host?: string | undefined; readonly port?: number | undefined }
  call(command: string, args: (string | number)[]): Promise<unknown>
}

const IOREDIS_DOWN = new Set(['reconnecting', 'close', 'end'])

/** Maps an ioredis or iovalkey client onto the seam. */
export function fromIORedis(ioredis: IORedisClient): ScriptClient {
  const cluster = ioredis.isCluster === true
  return {
    evalsha: (sha1, keys, args) => ioredis.evalsha(sha1, keys.length, keys, args),
    eval: (source, keys, args) => ioredis.eval(source, keys.length, keys, args),
    fcall: (name, keys, args, readOnly) =>
      ioredis.call(readOnly ? 'FCALL_RO' : 'FCALL', [name, keys.length, ...keys, ...args]),
    loadFunctions: (source, key) =>
      (cluster ? masterServing(ioredis, key) : ioredis).call('FUNCTION', ['LOAD', source]),
    del: (keys) => ioredis.del(...keys),
    isDown: () => IOREDIS_DOWN.has(ioredis.status as string),
    cluster,
    ...(cluster && { masterOf: (slot: number) => ioredis.slots?.[slot]?.[0] ?? `slot ${slot}` }),
  }
}

/**
 * The client of the master that serves `key`'s slot, as the Cluster's slot map has it: a command
 * with no key, as FUNCTION LOAD, would go to any node.
 */
function masterServing(cluster: IORedisClient, key: string): IORedisNode {
  const address = cluster.slots?.[keySlot(key)]?.[0]
  const node = cluster.nodes?.('master').find(({ options }) => `${options.host}:${options.port}` === address)
  if (!node) throw new Error(`atomic-ratelimit: no client for the master serving ${key} (${address ?? 'no slot map'})`)
  return node
}
