import { execFile } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { fixedWindow } from '../src/index.js'
import { internalsOf } from '../src/policy.js'
import { decideScript, luaScript } from '../src/redis/script.js'
import { connect, deployments, ports } from './helpers/redis.js'

const execFileAsync = promisify(execFile)
const algorithms = [fixedWindow({ limit: 1, windowMs: 1 })].map((policy) => internalsOf(policy).algorithm)

describe('the lua/ files', () => {
  it('are each embedded exactly as written', () => {
    for (const algorithm of algorithms)
      expect(algorithm.luaSource).toBe(readFileSync(`lua/${algorithm.name}.lua`, 'utf8'))
    const algorithmFiles = readdirSync('lua').filter((file) => file !== 'decide.lua')
    expect(algorithmFiles.sort()).toEqual(algorithms.map((algorithm) => `${algorithm.name}.lua`).sort())
  })

  it('open with a header stating KEYS, ARGV and the reply', () => {
    for (const file of readdirSync('lua')) {
      const header = readFileSync(`lua/${file}`, 'utf8').split('\n').slice(0, 3).join('\n')
      expect(header, file).toMatch(/KEYS[\s\S]*ARGV[\s\S]*Returns/)
    }
  })

  it('run by hand with redis-cli --eval, as the README shows', async () => {
    const run = (cost: string) =>
      execFileAsync('redis-cli', [
        '-p',
        String(ports.standalonePort),
        '--eval',
        'lua/fixed-window.lua',
        'cli:demo',
        ',',
        '2',
        '60000',
        cost,
      ])
    await execFileAsync('redis-cli', ['-p', String(ports.standalonePort), 'DEL', 'cli:demo'])
    const lines = async (cost: string) => (await run(cost)).stdout.trim().split('\n').map(Number)
    expect((await lines('1')).slice(0, 2)).toEqual([1, 1])
    expect((await lines('1')).slice(0, 2)).toEqual([1, 0])
    const [allowed, remaining, resetAfterMs, retryAfterMs] = await lines('1')
    expect([allowed, remaining]).toEqual([0, 0])
    expect(retryAfterMs).toBe(resetAfterMs)
    expect(await lines('3')).toEqual([0, 0, expect.any(Number), -1])
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
    const composed = decideScript(algorithms)
    expect(await scriptLoad(composed.source)).toBe(composed.sha1)
  })
})
