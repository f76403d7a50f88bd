import type { ScriptClient } from './client.js'

/** The Valkey GLIDE (2.x) methods the store calls; a `GlideClient` or `GlideClusterClient` fits as it is. */
export interface ValkeyGlideClient {
  /** EVALSHA and EVAL go as they are, so the store sees NOSCRIPT and answers it with one EVAL. */
  customCommand(args: string[]): Promise<unknown>
  fcall(name: string, keys: string[], args: string[]): Promise<unknown>
  fcallReadonly(name: string, keys: string[], args: string[]): Promise<unknown>
  /** `route` only on a cluster client (`replace` is here so that GlideClient's own options type fits). */
  functionLoad(
    source: string,
    options?: { replace?: boolean; route?: { type: 'primarySlotKey'; key: string } },
  ): Promise<unknown>
  del(keys: string[]): Promise<number>
  /** Present on a `GlideClusterClient` only. */
  readonly fcallWithRoute?: unknown
}

/**
 * Maps a GLIDE client onto the seam. GLIDE routes a command with keys to the master of their slot
 * and follows MOVED itself; it reconnects on its own and shows no connection state, so `isDown` is
 * never true (a decision sent while it reconnects ends at the limiter's deadline), nor its slot map,
 * so a GLIDE Cluster is one failure domain.
 */
export function fromGlide(glide: ValkeyGlideClient): ScriptClient {
  const cluster = typeof glide.fcallWithRoute === 'function'
  return {
    evalsha: (sha1, keys, args) => glide.customCommand(['EVALSHA', sha1, String(keys.length), ...keys, ...args]),
    eval: (source, keys, args) => glide.customCommand(['EVAL', source, String(keys.length), ...keys, ...args]),
    fcall: (name, keys, args, readOnly) =>
      readOnly ? glide.fcallReadonly(name, keys, args) : glide.fcall(name, keys, args),
    loadFunctions: (source, key) =>
      cluster ? glide.functionLoad(source, { route: { type: 'primarySlotKey', key } }) : glide.functionLoad(source),
    del: (keys) => glide.del(keys),
    // Stryker disable next-line ArrowFunction: undefined reads as false: GLIDE is never known to be down
    isDown: () => false,
    cluster,
  }
}
