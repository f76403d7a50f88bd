import type { ScriptClient } from './client.js'

interface ScriptOptions {
  keys: string[]
  arguments: string[]
}

/** The node-redis (v5) methods the store calls; a client from `createClient` or `createCluster` fits. */
export interface NodeRedisClient {
  evalSha(sha1: string, options: ScriptOptions): Promise<unknown>
  eval(script: string, options: ScriptOptions): Promise<unknown>
  fCall(name: string, options: ScriptOptions): Promise<unknown>
  fCallRo(name: string, options: ScriptOptions): Promise<unknown>
  functionLoad(source: string): Promise<unknown>
  del(keys: string[]): Promise<number>
  readonly isOpen: boolean
  /** Present on a single client: false while it (re)connects. */
  readonly isReady?: boolean
  /** Present on a cluster: the master serving each slot. */
  readonly slots?: readonly ({ readonly master: { readonly address: string } } | undefined)[]
}

/** A node-redis cluster's way to send any command to the master of `firstKey`'s slot. */
interface KeyRouted {
  sendCommand(firstKey: string, isReadonly: boolean, args: string[]): Promise<unknown>
}

/** Maps a node-redis client or cluster onto the seam. */
export function fromNodeRedis(nodeRedis: NodeRedisClient): ScriptClient {
  const cluster = nodeRedis.slots !== undefined
  return {
    evalsha: (sha1, keys, args) => nodeRedis.evalSha(sha1, { keys, arguments: args }),
    eval: (source, keys, args) => nodeRedis.eval(source, { keys, arguments: args }),
    fcall: (name, keys, args, readOnly) =>
      readOnly ? nodeRedis.fCallRo(name, { keys, arguments: args }) : nodeRedis.fCall(name, { keys, arguments: args }),
    // A cluster sends FUNCTION LOAD, which has no key, to any node: routed by the key instead.
    loadFunctions: (source, key) =>
      cluster
        ? (nodeRedis as unknown as KeyRouted).sendCommand(key, false, ['FUNCTION', 'LOAD', source])
        : nodeRedis.functionLoad(source),
    del: (keys) => nodeRedis.del(keys),
    isDown: () => !nodeRedis.isOpen || nodeRedis.isReady === false,
    cluster,
    // node-redis writes the commands sent in a turn together, in a setImmediate.
    writesAtEndOfTurn: true,
    ...(cluster && { masterOf: (slot: number) => nodeRedis.slots?.[slot]?.master.address ?? `slot ${slot}` }),
  }
}
