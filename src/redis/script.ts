import { createHash } from 'node:crypto'
import frame from '../../lua/decide.lua'
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
 * standalone entry), a table naming them, then `lua/decide.lua`. Built once per set of algorithms.
 */
export function decideScript(algorithms: readonly Algorithm<unknown>[]): LuaScript {
  const used = [...new Set(algorithms)].sort((a, b) => (a.name < b.name ? -1 : 1))
  const cacheKey = used.map((algorithm) => algorithm.name).join(',')
  let script = composed.get(cacheKey)
  if (!script) {
    script = luaScript(composeSource(used))
    composed.set(cacheKey, script)
  }
  return script
}

function composeSource(algorithms: readonly Algorithm<unknown>[]): string {
  const functions = algorithms.map(({ name, luaSource }) => {
    const end = luaSource.indexOf(STANDALONE_MARKER)
    if (end < 0) throw new Error(`lua/${name}.lua has no "${STANDALONE_MARKER.trim()}" line`)
    return luaSource.slice(0, end + 1)
  })
  const table = algorithms
    .map(({ name, luaFunction }) => `['${name}'] = { decide = ${luaFunction}, refund = ${luaFunction}_refund }`)
    .join(', ')
  return `${functions.join('\n')}\nlocal algorithms = { ${table} }\n\n${frame}`
}
