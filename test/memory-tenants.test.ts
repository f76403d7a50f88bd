// Limiters made per tenant, on one MemoryStore, leave nothing behind once they are gone and their
// windows are over: the store keeps per client key only the states that still matter, and nothing
// per limiter or prefix. Measured in a fresh process of the built package, with --expose-gc.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { fixedWindow, MemoryStore, RateLimiter } from '../src/index.js'

const execFileAsync = promisify(execFile)
const MB = 1024 * 1024

describe('memory of short-lived limiters on one MemoryStore', () => {
  it('returns to within 8 MB of its start after 200,000 tenant limiters (3 decisions each) are gone', async () => {
    const fixture = new URL('./fixtures/tenant-limiters.js', import.meta.url).pathname
    const settings = { tenants: 200_000, clients: 1_000, windowMs: 1_000 }
    const { stdout } = await execFileAsync(process.execPath, ['--expose-gc', fixture, JSON.stringify(settings)])
    const { before, after, held, allowed, tookMs } = JSON.parse(stdout)
    console.info(
      `200,000 tenant limiters: heap ${(before / MB).toFixed(1)} MB before, ${(after / MB).toFixed(1)} MB after, in ${tookMs} ms`,
    )
    expect(allowed).toBe(3 * settings.tenants)
    expect(held).toBe(settings.clients)
    expect(after - before).toBeLessThan(8 * MB)
  }, 90_000)
})

describe('quotas on one MemoryStore, limiters coming and going', () => {
  const MINUTE = 60_000
  const limiterOn = (store: MemoryStore, prefix: string, clock: () => number) =>
    new RateLimiter({ store, prefix, clock, policy: fixedWindow({ limit: 3, windowMs: MINUTE }) })

  it('keeps a quota for the next limiter of the same prefix: one made per request is still a limit', async () => {
    const store = new MemoryStore()
    const clock = () => 10 * MINUTE
    const allowed: boolean[] = []
    for (let request = 0; request < 5; request++)
      allowed.push((await limiterOn(store, 'tenant-1', clock).consume('client')).allowed)
    expect(allowed).toEqual([true, true, true, false, false])
  })

  it("keeps every live quota of a client key apart, whatever other prefixes' states expired around it", async () => {
    const store = new MemoryStore()
    let nowMs = 10 * MINUTE
    const clock = () => nowMs
    const remaining = async (prefix: string) => (await limiterOn(store, prefix, clock).peek('client')).remaining
    for (const prefix of ['a', 'b', 'c']) await limiterOn(store, prefix, clock).consume('client')
    nowMs += MINUTE // a, b and c expire; d and e start
    await limiterOn(store, 'd', clock).consume('client', { cost: 2 })
    await limiterOn(store, 'e', clock).consume('client')
    await limiterOn(store, 'a', clock).consume('client')
    expect(await Promise.all(['a', 'b', 'c', 'd', 'e'].map(remaining))).toEqual([2, 3, 3, 1, 2])
    nowMs += MINUTE - 1 // same window for d, e and a
    await limiterOn(store, 'f', clock).consume('client', { cost: 3 })
    expect(await Promise.all(['a', 'd', 'e', 'f'].map(remaining))).toEqual([2, 1, 2, 0])
  })
})
