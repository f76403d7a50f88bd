import { createHash } from 'node:crypto'
import { everyAlgorithm } from '../algorithms/by-name.js'
import { composeFunctions, frameSource, type LuaScript, standaloneEntry, standaloneScript } from './script.js'

/** The scripts as one Redis 7 Functions library, and the function that stands for each script. */
export interface FunctionsLibrary {
  /** `atomic_ratelimit_` and 12 hex digits of the library's SHA1: each build of the scripts has its own. */
  readonly name: string
  /** The text FUNCTION LOAD takes, `#!lua name=…` first. */
  readonly source: string
  /**
   * The function that runs `script`: an algorithm's own script has a function of its own, and every
   * composition of lua/decide.lua one frame that holds every algorithm; for a batch that only peeks,
   * its `no-writes` twin, which FCALL_RO may call on a replica.
   */
  functionFor(script: LuaScript, readOnly: boolean): string
}

let library: FunctionsLibrary | undefined

/**
 * The library, composed once from the same `lua/` text the EVALSHA scripts are: the functions of
 * every algorithm and of the penalties are made once, when the library loads, and each function's
 * body is the rest of its script (lua/decide.lua, or an algorithm's standalone entry), so a call
 * runs the code EVALSHA would after making them. What a call keeps in a table (the frame's memo of
 * texts) is made in the call and goes with it; only the fixed window's last stored window read,
 * one text and its number, stays from call to call. Policy lists always travel in ARGV: a library
 * is fixed text, so no function can carry a limiter's list in its source as an EVALSHA script does.
 */
export function functionsLibrary(): FunctionsLibrary {
  // Stryker disable next-line ConditionalExpression: made again, the library is the same text
  if (library) return library
  const algorithms = everyAlgorithm()
  // Stryker disable next-line StringLiteral: the name only has to change with the scripts, which any fixed text beside them does
  const unnamed = libraryText('atomic_ratelimit', algorithms)
  const name = `atomic_ratelimit_${createHash('sha1').update(unnamed).digest('hex').slice(0, 12)}`
  const standalone = new Map(
    algorithms.map((algorithm) => [standaloneScript(algorithm).sha1, `${name}_${algorithm.luaFunction}`]),
  )
  const made: FunctionsLibrary = {
    name,
    source: libraryText(name, algorithms),
    functionFor: (script, readOnly) => standalone.get(script.sha1) ?? `${name}_${readOnly ? 'peek' : 'decide'}`,
  }
  library = made
  return made
}

/**
 * The library file that `redis-cli -x FUNCTION LOAD` takes: what RedisStore loads by itself when
 * created with `scripts: 'functions'`, for deployments where the app's Redis user may not run
 * FUNCTION LOAD. Its name holds a hash of its text, so two versions of this package can share a
 * server.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs'
 * import { redisFunctionsLibrary } from 'atomic-ratelimit'
 * writeFileSync('atomic-ratelimit.lua', redisFunctionsLibrary())
 * ```
 */
export function redisFunctionsLibrary(): string {
  return functionsLibrary().source
}

/** The library's text with its functions named `<name>_decide`, `<name>_peek` and `<name>_<algorithm>`. */
function libraryText(name: string, algorithms: ReturnType<typeof everyAlgorithm>): string {
  const own = algorithms.map(
    (algorithm) =>
      // Stryker disable next-line StringLiteral: a comment line of the library, which Redis skips
      `-- lua/${algorithm.name}.lua from its standalone entry, as redis-cli --eval runs it after its functions\n` +
      `redis.register_function{ function_name = '${name}_${algorithm.luaFunction}', callback = function(KEYS, ARGV)\n` +
      `${standaloneEntry(algorithm)}\nend }\n`,
  )
  return (
    `#!lua name=${name}\n` +
    // Stryker disable next-line StringLiteral: comment lines of the library, which Redis skips
    '-- atomic-ratelimit: its lua/ scripts as Redis Functions, composed at build time (FCALL takes the\n' +
    // Stryker disable next-line StringLiteral: comment lines of the library, which Redis skips
    "-- same KEYS and ARGV as each script's EVALSHA). Generated: edit lua/, not this file.\n\n" +
    // Stryker disable next-line StringLiteral: comment lines of the library, which Redis skips
    '-- The functions of every algorithm and of lua/penalty.lua, made once, when the library loads.\n' +
    composeFunctions(algorithms, true) +
    // Stryker disable next-line StringLiteral: comment lines of the library, which Redis skips
    '\n-- lua/decide.lua: FCALL, or FCALL_RO for a batch of peeks.\n' +
    `local function decide(KEYS, ARGV)\n${frameSource()}\nend\n` +
    `redis.register_function{ function_name = '${name}_decide', callback = decide }\n` +
    `redis.register_function{ function_name = '${name}_peek', callback = decide, flags = { 'no-writes' } }\n\n` +
    // Stryker disable next-line StringLiteral: each function's text already ends its line
    own.join('\n')
  )
}
