import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'

const execFileAsync = promisify(execFile)

// The client address section of `npm run bench`, for a few ms per input: it runs and reports a row
// per input. Its figures are not checked here (timing belongs in BENCHMARKS.md).
describe('npm run bench -- --only addresses (smoke)', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'atomic-ratelimit-bench-addresses-'))
  afterAll(() => rmSync(outDir, { recursive: true, force: true }))

  it('writes the client address parsing table: ns per call for IPv4, IPv4-mapped and 16 KB malformed input', async () => {
    const args = ['bench/main.js', '--smoke', '--only', 'addresses', '--out', outDir]
    await execFileAsync(process.execPath, args, { encoding: 'utf8', timeout: 60_000 })
    const report = readFileSync(join(outDir, 'BENCHMARKS.md'), 'utf8')
    expect(report).toContain('## Client address parsing')
    const lines = report.split('\n')
    for (const row of [
      'ipKey: IPv4 `203.0.113.7`',
      'ipKey: IPv4-mapped `::ffff:203.0.113.7`',
      'ipKey: 16 KB malformed address',
      'fetch guard: 16 KB malformed X-Forwarded-For',
    ]) {
      const line = lines.find((candidate) => candidate.startsWith(`| ${row} |`))
      expect(line, row).toMatch(/ \| [\d,]+ \([\d,]+–[\d,]+\) \|$/)
    }
  })
})
