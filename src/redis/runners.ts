import { RateLimitOptionsError } from '../errors.js'
import { describe } from '../validate.js'
import type { ScriptClient } from './client.js'
import { functionsLibrary } from './functions.js'
import type { SendScript } from './script-call.js'

/** How the scripts run: EVALSHA, or FCALL of the Functions library. */
export type ScriptsMode = 'eval' | 'functions'

/** The `scripts` option of RedisStore, `'eval'` when left out; anything else throws, naming the option. */
export function readScriptsMode(value: unknown): ScriptsMode {
  if (value === undefined || value === 'eval' || value === 'functions') return value ?? 'eval'
  throw new RateLimitOptionsError(`Expected \`scripts\` to be 'eval' or 'functions', got ${describe(value)}`)
}

/** Sends scripts in `mode` through the client, each recovering once when the server lacks it. */
export function scriptRunner(client: ScriptClient, mode: ScriptsMode): SendScript {
  return mode === 'functions' ? functionsRunner(client) : evalRunner(client)
}

/**
 * EVALSHA; on NOSCRIPT (a restart, a failover, SCRIPT FLUSH, a Cluster node that never saw the
 * script) the script is sent whole with EVAL, once. Any other error is the caller's.
 */
function evalRunner(client: ScriptClient): SendScript {
  return async (script, keys, args) => {
    try {
      return await client.evalsha(script.sha1, keys, args)
    } catch (error) {
      if (!isNoScript(error)) throw error
      return client.eval(script.source, keys, args)
    }
  }
}

/**
 * FCALL (FCALL_RO for a batch of peeks); when the function is missing (a restart without
 * persistence, FUNCTION FLUSH, a server that never had it) the library is loaded on the node that
 * answered, and the call made once more. A load that finds the library there already (another
 * batch, or process, loaded it meanwhile) counts as loaded.
 */
function functionsRunner(client: ScriptClient): SendScript {
  const library = functionsLibrary()
  return async (script, keys, args, readOnly) => {
    const name = library.functionFor(script, readOnly)
    try {
      return await client.fcall(name, keys, args, readOnly)
    } catch (error) {
      if (!isMissingFunction(error)) throw error
      await client.loadFunctions(library.source, keys[0] as string).catch((loadError: unknown) => {
        if (!isLoadedAlready(loadError)) throw loadError
      })
      return client.fcall(name, keys, args, readOnly)
    }
  }
}

/** NOSCRIPT as Redis words it (ioredis, node-redis), or as GLIDE does (`NoScriptError: No matching script`). */
function isNoScript(error: unknown): boolean {
  return error instanceof Error && (error.message.startsWith('NOSCRIPT') || error.message.includes('NoScriptError'))
}

/** `ERR Function not found`, or GLIDE's `ResponseError: Function not found`. */
function isMissingFunction(error: unknown): boolean {
  return error instanceof Error && error.message.includes('Function not found')
}

function isLoadedAlready(error: unknown): boolean {
  return error instanceof Error && /Library '\w+' already exists/.test(error.message)
}
