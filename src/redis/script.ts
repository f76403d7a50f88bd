import { createHash } from 'node:crypto'
import frame from '../../lua/decide.lua'
import penaltyFunctions from '../../lua/penalty.lua'
import type { Algorithm } from '../policy.js'

/** A Lua script and the SHA1 that EVALSHA calls it by. */
export interface LuaScript {
  readonly source: string
  readonly sha1: string
}

/** Each algorithm file ends with a standalone entry for `redis-cli --eval`, from this line on. */
const STANDALONE_MARKER = '\n-- @standalone'

/** Wraps Lua source with its SHA1, computed here, so no hand-kept hash can go stale. */
export function luaScript(source: string): LuaScript {
  return { source, sha1: createHash('sha1').update(source).digest('hex') }
}

const composed = new Map<string, LuaScript>()
const standalone = new WeakMap<Algorithm<unknown>, LuaScript>()

/**
 * The algorithm's own file as a script (`lua/<algorithm>.lua`, as `redis-cli --eval` runs it): one
 * policy consuming, with none of the frame's work. ARGV: limit, windowMs, cost, nowMs or '', burst.
 */
export function standaloneScript(algorithm: Algorithm<unknown>): LuaScript {
  let script = standalone.get(algorithm)
  if (!script) {
    script = luaScript(algorithm.luaSource)
    standalone.set(algorithm, script)
  }
  return script
}

/**
 * The script that decides with these algorithms: the functions of each (its `lua/` file up to the
 * standalone entry), those of `lua/penalty.lua` if `penalties`, a table naming the algorithms, then
 * `lua/decide.lua`, with every policy list in ARGV. Built once per set of algorithms.
 */
export function decideScript(algorithms: readonly Algorithm<unknown>[], penalties = false): LuaScript {
  const used = distinctByName(algorithms)
  const cacheKey = `${used.map((algorithm) => algorithm.name).join(',')}${penalties ? '+penalties' : ''}`
  let script = composed.get(cacheKey)
  if (!script) {
    script = luaScript(composeSource(used, penalties))
    composed.set(cacheKey, script)
  }
  return script
}

/** Most policy lists that get a script of their own: Redis keeps every script it is sent until it restarts. */
const MOST_LIST_SCRIPTS = 32

const ownScripts = new Map<string, LuaScript>()

/**
 * The script that decides for one policy list (the policy count, then per policy: algorithm, limit,
 * windowMs, burst, then the penalty settings or `-`) with the list in its source, as list `A`: a call
 * for that list alone sends none of it. For three policies that is 14 strings fewer for Redis to make
 * and 9 numbers fewer to parse: a sixth of its work on a call of one request. Undefined past
 * {@link MOST_LIST_SCRIPTS} lists, so limiters made per tenant cannot fill the server's script cache:
 * those send the list every time.
 */
export function ownListScript(
  algorithms: readonly Algorithm<unknown>[],
  list: readonly string[],
): LuaScript | undefined {
  const cacheKey = list.join(' ')
  let script = ownScripts.get(cacheKey)
  if (!script && ownScripts.size < MOST_LIST_SCRIPTS) {
    script = luaScript(ownListSource(algorithms, list))
    ownScripts.set(cacheKey, script)
  }
  return script
}

/** The source of the script that carries `list` (see {@link ownListScript}), made afresh every time. */
export function ownListSource(algorithms: readonly Algorithm<unknown>[], list: readonly string[]): string {
  const penalty = list.at(-1) as string
  const values = list.slice(0, -1).map((value, index) => (index % 4 === 1 ? `algorithms['${value}']` : value))
  if (penalty !== '-') values.push(`penalty = penalty_settings('${penalty}')`)
  return composeSource(distinctByName(algorithms), penalty !== '-', `{ ${values.join(', ')} }`)
}

/** Each algorithm once, by name: the same set composes the same script. */
function distinctByName(algorithms: readonly Algorithm<unknown>[]): Algorithm<unknown>[] {
  return [...new Set(algorithms)].sort((a, b) => (a.name < b.name ? -1 : 1))
}

/**
 * The source lua/decide.lua runs as, with the functions of `algorithms` (and of lua/penalty.lua if
 * `penalties`) in front of it; `ownList`, Lua for the policy list the script carries, or `nil`.
 */
export function composeSource(algorithms: readonly Algorithm<unknown>[], penalties: boolean, ownList = 'nil'): string {
  return `${composeFunctions(algorithms, penalties)}${frameSource(ownList)}`
}

/**
 * What lua/decide.lua runs with: the functions of each algorithm (its `lua/` file up to the
 * standalone entry), those of lua/penalty.lua if `penalties`, and the table naming the algorithms.
 * The Functions library makes them once, when it loads.
 */
export function composeFunctions(algorithms: readonly Algorithm<unknown>[], penalties: boolean): string {
  const functions = algorithms.map(({ name, luaSource }) => {
    const end = standaloneStart(name, luaSource)
    // Stryker disable next-line ArithmeticOperator: a blank line comes before the marker in every lua/ file: two characters fewer drop only newlines
    return luaSource.slice(0, end + 1)
  })
  const table = algorithms
    .map(({ name, luaFunction }) => `['${name}'] = { decide = ${luaFunction}, refund = ${luaFunction}_refund }`)
    .join(', ')
  if (penalties) functions.push(penaltyFunctions)
  return `${functions.join('\n')}\nlocal algorithms = { ${table} }\n`
}

/** lua/decide.lua with the policy list it carries (Lua for it, or `nil`) declared in front of it. */
export function frameSource(ownList = 'nil'): string {
  return `local own_list = ${ownList}\n\n${frame}`
}

/** An algorithm's file from its `@standalone` line on: what runs after its functions are made. */
export function standaloneEntry({ name, luaSource }: Algorithm<unknown>): string {
  return luaSource.slice(standaloneStart(name, luaSource) + 1)
}

/** Where the standalone entry of lua/<name>.lua starts (its newline), or an error naming the file. */
function standaloneStart(name: string, luaSource: string): number {
  const end = luaSource.indexOf(STANDALONE_MARKER)
  if (end < 0) throw new Error(`lua/${name}.lua has no "${STANDALONE_MARKER.trim()}" line`)
  return end
}
