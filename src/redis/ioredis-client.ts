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
  /** The client's options, of which the store only reads whether it pipelines automatically. */
  readonly options?: { readonly enableAutoPipelining?: boolean | undefined }
  /** A pipeline of its own: its commands go at once, whatever the client's automatic pipelining. */
  pipeline?(): IORedisPipeline
}

/** The part of an ioredis pipeline the store uses. */
export interface IORedisPipeline {
  evalsha(sha1: string, numKeys: number, keys: string[], args: string[]): IORedisPipeline
  eval(script: string, numKeys: number, keys: string[], args: string[]): IORedisPipeline
  call(command: string, args: (string | number)[]): IORedisPipeline
  exec(): Promise<[error: Error | null, value: unknown][] | null>
}

/** One node's client in an ioredis Cluster. */
export interface IORedisNode {
  readonly options: { readonly host?: string | undefined; readonly port?: number | undefined }
  call(command: string, args: (string | number)[]): Promise<unknown>
}

const IOREDIS_DOWN = new Set(['reconnecting', 'close', 'end'])

/**
 * Maps an ioredis or iovalkey client onto the seam. A client with `enableAutoPipelining` would queue
 * every script call behind the one in flight (its automatic pipeline runs one at a time per node),
 * where the store keeps several in flight so Redis decides one batch while Node reads the last: its
 * script calls go each in a pipeline of their own, which the client sends at once.
 */
export function fromIORedis(ioredis: IORedisClient): ScriptClient {
  const cluster = ioredis.isCluster === true
  const scripts = ioredis.options?.enableAutoPipelining === true && ioredis.pipeline ? pipelined(ioredis) : ioredis
  return {
    evalsha: (sha1, keys, args) => scripts.evalsha(sha1, keys.length, keys, args),
    eval: (source, keys, args) => scripts.eval(source, keys.length, keys, args),
    fcall: (name, keys, args, readOnly) =>
      scripts.call(readOnly ? 'FCALL_RO' : 'FCALL', [name, keys.length, ...keys, ...args]),
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

type ScriptMethods = Pick<IORedisClient, 'evalsha' | 'eval' | 'call'>

/** The script commands of `ioredis`, each sent in a pipeline of its own (see {@link fromIORedis}). */
function pipelined(ioredis: IORedisClient): ScriptMethods {
  const alone = async (add: (pipeline: IORedisPipeline) => IORedisPipeline): Promise<unknown> => {
    const [[error, value]] = ((await add((ioredis.pipeline as () => IORedisPipeline)()).exec()) ?? [[null, null]]) as [
      [Error | null, unknown],
    ]
    if (error) throw error
    return value
  }
  return {
    evalsha: (sha1, numKeys, keys, args) => alone((pipeline) => pipeline.evalsha(sha1, numKeys, keys, args)),
    eval: (source, numKeys, keys, args) => alone((pipeline) => pipeline.eval(source, numKeys, keys, args)),
    call: (command, args) => alone((pipeline) => pipeline.call(command, args)),
  }
}
