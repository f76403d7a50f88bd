import { execFile } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import type { Algorithm } from '../src/policy.js'
import { decideScript, luaScript, ownListScript, ownListSource } from '../src/redis/script.js'
import { algorithms } from './helpers/policies.js'
import { connect, deployments, ports, uniquePrefix } from './helpers/redis.js'

const execFileAsync = promisify(execFile)

describe('the lua/ files', () => {
  it('are each embedded exactly as written', () => {
    for (const algorithm of algorithms)
      expect(algorithm.luaSource).toBe(readFileSync(`lua/${algorithm.name}.lua`, 'utf8'))
    // The frame and the penalties are parts of composed scripts, not algorithms.
    const algorithmFiles = readdirSync('lua').filter((file) => file !== 'decide.lua' && file !== 'penalty.lua')
    expect(algorithmFiles.sort()).toEqual(algorithms.map((algorithm) => `${algorithm.name}.lua`).sort())
  })

  it('open with a header stating KEYS, ARGV and the reply', () => {
    for (const file of readdirSync('lua')) {
      const header = readFileSync(`lua/${file}`, 'utf8').split('\n').slice(0, 3).join('\n')
      expect(header, file).toMatch(/KEYS[\s\S]*ARGV[\s\S]*Returns/)
    }
  })

  it.each(algorithms.map((algorithm) => algorithm.name))('%s runs by hand with redis-cli --eval', async (name) => {
    const cli = (...args: string[]) => execFileAsync('redis-cli', ['-p', String(ports.standalonePort), ...args])
    const key = `cli:${name}`
    await cli('DEL', key)
    const run = async (cost: string) =>
      (await cli('--eval', `lua/${name}.lua`, key, ',', '2', '60000', cost)).stdout.trim().split(' ').map(Number)
    expect((await run('1')).slice(0, 2)).toEqual([1, 1])
    expect((await run('1')).slice(0, 2)).toEqual([1, 0])
    const [allowed, remaining, resetAfterMs, retryAfterMs, nextQuotaMs] = await run('1')
    expect([allowed, remaining]).toEqual([0, 0])
    expect(retryAfterMs).toBeGreaterThan(0)
    expect(retryAfterMs).toBeLessThanOrEqual(resetAfterMs as number)
    // One unit at a time: more quota comes exactly when a request of cost 1 could pass.
    expect(nextQuotaMs).toBe(retryAfterMs)
    // A cost of the whole limit fits once the quota is back: a wait, not never (-1).
    expect((await run('2'))[3]).toBeGreaterThan(0)
    const serverTimeMs = async () => {
      const [seconds, micros] = (await cli('TIME')).stdout.trim().split('\n').map(Number)
      return (seconds as number) * 1_000 + Math.floor((micros as number) / 1_000)
    }
    const before = await serverTimeMs()
    const [, , , , , serverNowMs] = await run('3')
    const after = await serverTimeMs()
    expect(await run('3')).toEqual([0, 0, expect.any(Number), -1, expect.any(Number), expect.any(Number)])
    // The sixth value is the time the script decided at: the server's clock, to the ms.
    expect(serverNowMs).toBeGreaterThanOrEqual(before)
    expect(serverNowMs).toBeLessThanOrEqual(after)
    expect(Number((await cli('PTTL', key)).stdout)).toBeGreaterThan(0)
  })
})

describe.each(deployments)('script SHA1s on Redis %s', (deployment) => {
  const client = connect(deployment)
  const scriptLoad = (source: string) => client.script('LOAD', source) as Promise<string>

  it('match what SCRIPT LOAD answers, for every file and the composed script', async () => {
    for (const algorithm of algorithms) {
      const script = luaScript(algorithm.luaSource)
      expect(await scriptLoad(script.source)).toBe(script.sha1)
    }
    for (const subset of [algorithms, algorithms.slice(1, 3), algorithms.slice(3)]) {
      const composed = decideScript(subset)
      expect(await scriptLoad(composed.source)).toBe(composed.sha1)
    }
    const own = luaScript(ownListSource(algorithms, ['1', algorithms[0]?.name as string, '5', '60000', '5', '-']))
    expect(await scriptLoad(own.source)).toBe(own.sha1)
  })
})

describe('lua/decide.lua', () => {
  const client = connect('standalone')
  const [fixed, sliding] = ['fixed-window', 'sliding-window'].map((name) => {
    const algorithm = algorithms.find((candidate) => candidate.name === name)
    if (!algorithm) throw new Error(`no algorithm ${name}`)
    return algorithm
  }) as [Algorithm<unknown>, Algorithm<unknown>]

  it('answers the time, then per policy its verdict and the state its key held before the request', async () => {
    const { source } = decideScript([fixed, sliding])
    const keys = [`${uniquePrefix('frame')}:fw`, `${uniquePrefix('frame')}:sw`]
    // At 1_800_000_000_000 ms, the 60 s window number 30_000_000 has just begun.
    const list = ['2', 'fixed-window', '5', '60000', '5', 'sliding-window', '5', '60000', '5', '-']
    const requests = ['cA', 'cA', 'pA', 'cA6']
    const reply = await client.eval(
      source,
      8,
      ...keys,
      ...keys,
      ...keys,
      ...keys,
      '1800000000000',
      '1',
      ...list,
      ...requests,
    )
    expect(reply).toBe(
      [
        '1800000000000',
        ...['1 -', '1 -'],
        ...['1 30000000:1', '1 30000000:1:0'],
        ...['1 30000000:2', '1 30000000:2:0'],
        // A cost above the limit: both refuse, and what they report is what they read.
        ...['0 30000000:2', '0 30000000:2:0'],
      ].join(' '),
    )
  })

  it("decides at the server's time, to the ms, when given none", async () => {
    const { source } = decideScript([fixed])
    const serverTimeMs = async () => {
      const [seconds, micros] = (await client.time()).map(Number)
      return (seconds as number) * 1_000 + Math.floor((micros as number) / 1_000)
    }
    const before = await serverTimeMs()
    const reply = await client.eval(
      source,
      1,
      `${uniquePrefix('time')}:fw`,
      '',
      '1',
      '1',
      'fixed-window',
      '5',
      '60000',
      '5',
      '-',
      'cA',
    )
    const after = await serverTimeMs()
    const decidedAtMs = Number(String(reply).split(' ')[0])
    expect(decidedAtMs).toBeGreaterThanOrEqual(before)
    expect(decidedAtMs).toBeLessThanOrEqual(after)
  })
})

describe('a policy list carried in the script', () => {
  const client = connect('standalone')
  const [fixed, sliding] = ['fixed-window', 'sliding-window'].map((name) =>
    algorithms.find((candidate) => candidate.name === name),
  ) as [Algorithm<unknown>, Algorithm<unknown>]
  const list = ['2', 'fixed-window', '3', '60000', '3', 'sliding-window', '4', '60000', '4', '-']

  it('decides as the same list sent in ARGV', async () => {
    // Made afresh: the process-wide cache of such scripts may be full of other test files' lists.
    const ownSource = ownListSource([fixed, sliding], list)
    /** The reply, then what each key holds after the requests (the refund included). */
    const decide = async (source: string, listArgs: string[]) => {
      const keys = [`${uniquePrefix('own')}:fw`, `${uniquePrefix('own')}:sw`]
      const requests = ['cAx2', 'pA', 'cA2', 'cA', 'rA', '1800000000000']
      const perRequest = Array.from({ length: 6 }, () => keys).flat()
      const reply = await client.eval(
        source,
        perRequest.length,
        ...perRequest,
        '1800000000500',
        ...listArgs,
        ...requests,
      )
      return [reply, ...(await Promise.all(keys.map((key) => client.get(key))))]
    }
    const inArgv = await decide(decideScript([fixed, sliding]).source, ['1', ...list])
    expect(await decide(ownSource, ['0'])).toEqual(inArgv)
    // Limits 3 and 4, window 30_000_000: two consumes, a peek, a cost of 2 the fixed window refuses
    // (so neither charges), a consume, then a refund of one unit.
    const verdicts = ['1 - 1 -', '1 30000000:1 1 30000000:1:0', '1 30000000:2 1 30000000:2:0']
    const refused = '0 30000000:2 1 30000000:2:0'
    expect(inArgv).toEqual([
      ['1800000000500', ...verdicts, refused, '1 30000000:2 1 30000000:2:0'].join(' '),
      '30000000:2',
      '30000000:2:0',
    ])
  })

  it('is made for 32 lists at most: the next ones send their list in ARGV', () => {
    const made = Array.from({ length: 40 }, (_, limit) =>
      ownListScript([fixed], ['1', 'fixed-window', String(limit + 1), '1000', String(limit + 1), '-']),
    )
    expect(made.filter(Boolean).length).toBeLessThanOrEqual(32)
    expect(made.at(-1)).toBeUndefined()
    expect(ownListScript([fixed], ['1', 'fixed-window', '1', '1000', '1', '-'])).toBe(made[0])
  })
})
