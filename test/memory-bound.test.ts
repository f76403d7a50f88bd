import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const execFileAsync = promisify(execFile)
const MB = 1024 * 1024

/** Floods a fresh process (the built package, with --expose-gc) with distinct keys; returns what it held. */
async function flood(settings: { keys: number; keyLength: number; target: 'memory-store' | 'block-cache' }) {
  const fixture = new URL('./fixtures/flood-memory.js', import.meta.url).pathname
  const { stdout } = await execFileAsync(process.execPath, ['--expose-gc', fixture, JSON.stringify(settings)])
  return JSON.parse(stdout) as { held: number; heapGrowthBytes: number }
}

describe('memory under a flood of distinct keys', () => {
  it('a MemoryStore holds its default 100,000 keys, about 40 MB, after 1,000,000 distinct keys', async () => {
    const { held, heapGrowthBytes } = await flood({ keys: 1_000_000, keyLength: 16, target: 'memory-store' })
    console.info(`MemoryStore: ${held} keys held, heap grew ${(heapGrowthBytes / MB).toFixed(1)} MB`)
    expect(held).toBe(100_000)
    expect(heapGrowthBytes).toBeLessThan(64 * MB)
  })

  it('a MemoryStore keeps the same bound when every key is 1,000 characters long', async () => {
    const { held, heapGrowthBytes } = await flood({ keys: 200_000, keyLength: 1_000, target: 'memory-store' })
    console.info(
      `MemoryStore, 1,000-character keys: ${held} keys held, heap grew ${(heapGrowthBytes / MB).toFixed(1)} MB`,
    )
    expect(held).toBe(100_000)
    expect(heapGrowthBytes).toBeLessThan(64 * MB)
  })

  it('the block cache holds its default 10,000 keys, about 5 MB, after 1,000,000 denied keys', async () => {
    const { held, heapGrowthBytes } = await flood({ keys: 1_000_000, keyLength: 16, target: 'block-cache' })
    console.info(`block cache: ${held} keys held, heap grew ${(heapGrowthBytes / MB).toFixed(1)} MB`)
    expect(held).toBe(10_000)
    expect(heapGrowthBytes).toBeLessThan(16 * MB)
  })
})
