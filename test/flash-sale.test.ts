import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { ports } from './helpers/redis.js'

const execFileAsync = promisify(execFile)

async function runFlashSale(env: Record<string, string>): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, ['examples/flash-sale/main.js'], {
    env: { ...process.env, ...env },
  })
  return stdout
}

describe('examples/flash-sale', () => {
  it('sells exactly the stock on the memory store, where the naive guard oversells', async () => {
    const output = await runFlashSale({ STOCK: '100' })
    expect(output).toContain('atomic-ratelimit:     100 orders, 0 oversold')
    expect(output).toMatch(/check-then-decrement: \d+ orders, [1-9]\d* oversold/)
  })

  it('sells exactly the stock on Redis when REDIS_URL is set', async () => {
    const output = await runFlashSale({ STOCK: '42', REDIS_URL: `redis://127.0.0.1:${ports.standalonePort}` })
    expect(output).toContain('(redis store)')
    expect(output).toContain('atomic-ratelimit:     42 orders, 0 oversold')
  })
})
