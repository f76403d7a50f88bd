// How the scripts a store sends are composed from lua/: each algorithm once, in one order, its
// functions without its standalone entry, the penalty functions when asked, the policy list a script
// carries, and the cap on scripts of their own. Checked on the text, and by Redis compiling it.
import { describe, expect, it } from 'vitest'
import { fixedWindow, gcra as gcraPolicy, slidingWindow, tokenBucket } from '../src/index.js'
import { internalsOf, type Policy } from '../src/policy.js'
import { composeSource, decideScript, ownListScript, ownListSource, standaloneEntry } from '../src/redis/script.js'
import { connectStandalone } from './helpers/redis.js'

const algorithmOf = (policy: Policy) => internalsOf(policy).algorithm
const fixed = algorithmOf(fixedWindow({ limit: 1, windowMs: 1_000 }))
const sliding = algorithmOf(slidingWindow({ limit: 1, windowMs: 1_000 }))
const bucket = algorithmOf(tokenBucket({ limit: 1, windowMs: 1_000 }))
const gcra = algorithmOf(gcraPolicy({ limit: 1, windowMs: 1_000 }))

describe('the decide script', () => {
  it('holds each algorithm once, by name, whatever the order and repeats it is asked for', () => {
    const script = decideScript([gcra, fixed, gcra, sliding])
    expect(decideScript([sliding, fixed, gcra])).toBe(script)
    expect(script.source).toContain(
      "local algorithms = { ['fixed-window'] = { decide = fixed_window, refund = fixed_window_refund }, " +
        "['gcra'] = { decide = gcra, refund = gcra_refund }, " +
        "['sliding-window'] = { decide = sliding_window, refund = sliding_window_refund } }",
    )
    expect(script.source).toContain('local own_list = nil\n')
    expect(script.source).not.toContain('-- @standalone')
  })

  it('adds the penalty functions only when asked, as a script of its own', () => {
    const plain = decideScript([bucket])
    const penalized = decideScript([bucket], true)
    expect(penalized.sha1).not.toBe(plain.sha1)
    expect(penalized.source).toContain('function penalty_settings')
    expect(plain.source).not.toContain('function penalty_settings')
  })

  it('compiles on Redis for every algorithm, alone and all together, with penalties', async () => {
    const redis = connectStandalone()
    const scripts = [fixed, sliding, bucket, gcra].map((algorithm) => decideScript([algorithm]))
    scripts.push(decideScript([fixed, sliding, bucket, gcra], true))
    for (const { source, sha1 } of scripts) expect(await redis.script('LOAD', source)).toBe(sha1)
  })

  it('refuses a Lua file without its standalone entry, naming it', () => {
    const unmarked = { ...fixed, name: 'unmarked', luaSource: 'local x = 1\n' }
    expect(() => composeSource([unmarked], false)).toThrow('lua/unmarked.lua has no "-- @standalone" line')
  })
})

describe("an algorithm's standalone entry (what a Functions library call runs)", () => {
  it('is its file from the `@standalone` line on, without the functions made before it', () => {
    for (const algorithm of [fixed, sliding, bucket, gcra]) {
      const entry = standaloneEntry(algorithm)
      expect(entry.startsWith('-- @standalone'), algorithm.name).toBe(true)
      expect(algorithm.luaSource.endsWith(entry), algorithm.name).toBe(true)
      expect(entry, algorithm.name).not.toContain(`local function ${algorithm.luaFunction}(`)
    }
  })
})

describe('a script of its own for a policy list', () => {
  it('carries the list in its source, algorithms by reference, penalty settings by call', () => {
    const list = ['2', 'fixed-window', '5', '60000', '5', 'gcra', '10', '1000', '20', 'b1.60000.2']
    const source = ownListSource([gcra, fixed], list)
    expect(source).toContain(
      "local own_list = { 2, algorithms['fixed-window'], 5, 60000, 5, algorithms['gcra'], 10, 1000, 20, penalty = penalty_settings('b1.60000.2') }",
    )
    expect(source).toContain('function penalty_settings')
    expect(ownListSource([fixed], ['1', 'fixed-window', '5', '60000', '5', '-'])).not.toContain(
      'function penalty_settings',
    )
  })

  it('is made for the first 32 lists, the same for a list asked again, and none after', () => {
    const listOf = (limit: number) => ['1', 'fixed-window', String(limit), '60000', String(limit), '-']
    const first = ownListScript([fixed], listOf(1))
    expect(first?.source).toContain("local own_list = { 1, algorithms['fixed-window'], 1, 60000, 1 }")
    expect(ownListScript([fixed], listOf(1))).toBe(first)
    for (let limit = 2; limit <= 32; limit++) expect(ownListScript([fixed], listOf(limit))).toBeDefined()
    expect(ownListScript([fixed], listOf(33))).toBeUndefined()
    expect(ownListScript([fixed], listOf(7))).toBeDefined()
  })
})
