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
  /**
   * A command function that never takes the automatic pipeline (ioredis's documented way to call a
   * built-in command by name): called on the client, it sends at once.
   */
  createBuiltinCommand?(name: string): { string: (...args: unknown[]) => Promise<unknown> }
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
 * where the store keeps several in flight so Redis decides one batch while Node reads the last, and
 * would give a lone call an extra turn of the event loop: its script calls are sent directly, as
 * commands made with `createBuiltinCommand`, which no automatic pipeline takes.
 */
export function fromIORedis(ioredis: IORedisClient): ScriptClient {
  const cluster = ioredis.isCluster === true
  const scripts = ioredis.options?.enableAutoPipelining === true ? sentDirectly(ioredis) : ioredis
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

/** The script commands of `ioredis`, sent at once whatever its automatic pipelining (see {@link fromIORedis}). */
function sentDirectly(ioredis: IORedisClient): ScriptMethods {
  if (typeof ioredis.createBuiltinCommand !== 'function') return ioredis
  const commands = new Map<string, (...args: unknown[]) => Promise<unknown>>()
  const send = (name: string, ...args: unknown[]): Promise<unknown> => {
    let command = commands.get(name)
    if (!command) {
      command = (ioredis.createBuiltinCommand as Required<IORedisClient>['createBuiltinCommand'])(name).string
      commands.set(name, command)
    }
    return command.apply(ioredis, args)
  }
  return {
    evalsha: (sha1, numKeys, keys, args) => send('evalsha', sha1, numKeys, keys, args),
    eval: (source, numKeys, keys, args) => send('eval', source, numKeys, keys, args),
    call: (command, args) => send(command, args),
  }
}
