import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const execFileAsync = promisify(execFile)

// The benchmark's machinery, run for a few ms per contender: every contender can be built and
// driven, and the report is written. It measures nothing (no figure is checked: timing belongs in
// BENCHMARKS.md, never in a test). HTTP is left out: its load generator runs a whole second per run.
describe('npm run bench (smoke: a few ms per run, no HTTP)', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'atomic-ratelimit-bench-'))
  let run: Promise<{ stdout: string }>
  beforeAll(() => {
    const args = ['bench/main.js', '--smoke', '--only', 'decisions,cores,bytes,trips,exactness', '--out', outDir]
    run = execFileAsync(process.execPath, args, { encoding: 'utf8', timeout: 60_000 })
  })
  afterAll(() => rmSync(outDir, { recursive: true, force: true }))

  it('writes every table, with a row for the ceiling, each of ours and each peer', async () => {
    await run
    const report = readFileSync(join(outDir, 'BENCHMARKS.md'), 'utf8')
    const headings = [
      'Decisions per second on Redis',
      'in memory',
      'core of its own',
      'bytes per tracked key',
      'Round trips',
    ]
    for (const heading of headings) expect(report).toContain(heading)
    const rows = [
      'bare script (ceiling)',
      'ours three policies',
      'ours fixed-window coalesced, functions',
      'ours fixed-window coalesced, GLIDE',
      'ours fixed-window coalesced, autopipelining',
      'ours fixed-window coalesced, node-redis',
      'bare script, node-redis',
      'rate-limit-redis, node-redis',
      'ours HitCounterStore (express-rate-limit Store)',
      'rate-limiter-flexible',
      'rate-limit-redis',
      'koa-ratelimit',
    ]
    for (const row of rows) expect(report).toContain(`| ${row} |`)
    expect(report).toMatch(/\| ours fixed-window \| 100 of 5,000 \| 100 \| 0 \|/)
    expect(report).toMatch(/\| ours HitCounterStore \(express-rate-limit Store\) \| 100 of 5,000 \| 100 \| 0 \|/)
  })

  it('stops the redis-server it started', async () => {
    const { stdout } = await run
    const pid = Number(/\(pid (\d+)\)/.exec(stdout)?.[1])
    expect(pid).toBeGreaterThan(0)
    expect(() => process.kill(pid, 0)).toThrow()
  })
})

describe('npm run bench:floors (smoke: 10 ms per run)', () => {
  let run: Promise<{ stdout: string; stderr: string }>
  beforeAll(() => {
    run = execFileAsync(process.execPath, ['bench/floors.js', '--smoke'], { encoding: 'utf8', timeout: 60_000 })
  })

  it('prints a row for every contender, in memory and on Redis', async () => {
    const { stdout } = await run
    const rows = [
      'express-rate-limit (increment)',
      'by hand, our result',
      'what one policy needs: TIME, GET, SET PX',
      'three policies as one hash: TIME, HMGET, HSET, PEXPIRE',
      'ours three policies',
      'three policies as one hash, 32 a call',
      'ours three policies coalesced',
    ]
    for (const row of rows) expect(stdout).toContain(`| ${row} |`)
    expect(stdout).toMatch(/\| bare script \(ceiling\) \| [\d.]+ \([\d.]+–[\d.]+\) \| 1\.00× \| 56 \|/)
    for (const keys of ['hot', 'random'])
      expect(stdout).toMatch(
        new RegExp(`\\| rate-limit-redis \\| ${keys} \\| [\\d.]+k \\([\\d.]+–[\\d.]+\\) \\| [\\d.]+× \\|`),
      )
  })

  it('stops the redis-server it started', async () => {
    const { stderr } = await run
    const pid = Number(/\(pid (\d+)\)/.exec(stderr)?.[1])
    expect(pid).toBeGreaterThan(0)
    expect(() => process.kill(pid, 0)).toThrow()
  })
})
