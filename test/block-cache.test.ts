// The block cache on its own (src/block-cache.ts): what a store's decision makes it hold, for how
// long, for which requests, and what lets a client go. Results come from a real limiter on a clock
// the test moves; the cache is fed them as the limiter feeds it.
import { describe, expect, it } from 'vitest'
import { BlockCache } from '../src/block-cache.js'
import { fixedWindow, MemoryStore, RateLimiter, type RateLimitResult, tokenBucket } from '../src/index.js'
import type { Policy } from '../src/policy.js'
import { on, recordChannels } from './helpers/channels.js'
import { manualClock } from './helpers/stores.js'

const MINUTE = 60_000
const clock = manualClock(MINUTE)

/** A limiter with no block cache of its own, on the clock at its start, and its policy list. */
function limiterOf(policy: Policy | Policy[]) {
  clock.set(clock.start)
  const limiter = new RateLimiter({ store: new MemoryStore(), policy, blockCache: false, clock: clock.now })
  return { limiter, policies: limiter.policies }
}

/** A denial at the clock's start, by 2 per minute after 2 requests: a wait of a whole minute. */
async function minuteDenial() {
  const { limiter, policies } = limiterOf(fixedWindow({ limit: 2, windowMs: MINUTE }))
  await limiter.consume('client', { cost: 2 })
  const denied = await limiter.consume('client')
  expect(denied).toMatchObject({ allowed: false, retryAfterMs: MINUTE })
  return { limiter, policies, denied }
}

describe('the block cache', () => {
  it('denies a cost at least the denied one, under the same policies, until the wait is over', async () => {
    const { policies, denied } = await minuteDenial()
    const cache = new BlockCache(10)
    cache.record('client', policies, 1, clock.start, denied)
    expect(cache.size).toBe(1)
    expect(cache.denial('client', policies, 1, clock.start + MINUTE - 1)).toMatchObject({
      allowed: false,
      retryAfterMs: 1,
    })
    expect(cache.denial('client', policies, 0, clock.start + 10)).toBeUndefined()
    expect(cache.denial('other', policies, 1, clock.start + 10)).toBeUndefined()
    expect(cache.denial('client', [...policies], 1, clock.start + 10)).toBeUndefined()
    // Under other policies the block went; it no longer holds for these either.
    expect(cache.denial('client', policies, 1, clock.start + 10)).toBeUndefined()
    cache.record('client', policies, 1, clock.start, denied)
    expect(cache.denial('client', policies, 1, clock.start + MINUTE)).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it('ends a block when some policy gets more quota before the wait is over', async () => {
    // Two tokens a minute: a cost of 2 waits the whole minute, but the first token is back in 30 s.
    const { limiter, policies } = limiterOf(tokenBucket({ limit: 2, windowMs: MINUTE }))
    await limiter.consume('client', { cost: 2 })
    const denied = await limiter.consume('client', { cost: 2 })
    expect(denied).toMatchObject({ allowed: false, retryAfterMs: MINUTE, nextQuotaMs: MINUTE / 2 })
    const cache = new BlockCache(10)
    cache.record('client', policies, 2, clock.start, denied)
    expect(cache.denial('client', policies, 2, clock.start + MINUTE / 2 - 1)).toBeDefined()
    expect(cache.denial('client', policies, 2, clock.start + MINUTE / 2)).toBeUndefined()
  })

  it('ends a block at the soonest more quota of the policies that have some to come: a whole one has none', async () => {
    const { policies, denied } = await minuteDenial()
    const [broken] = denied.policies as [RateLimitResult['policies'][number]]
    const whole = { ...broken, allowed: true, remaining: 5, retryAfterMs: 0, resetAfterMs: 0, nextQuotaMs: 0 }
    const later = { ...broken, retryAfterMs: 2 * MINUTE, resetAfterMs: 2 * MINUTE, nextQuotaMs: 2 * MINUTE }
    const cache = new BlockCache(10)
    const result = { ...denied, retryAfterMs: 2 * MINUTE, policies: [broken, whole, later] }
    cache.record('client', policies, 1, clock.start, result)
    expect(cache.denial('client', policies, 1, clock.start + MINUTE - 1)).toBeDefined()
    expect(cache.denial('client', policies, 1, clock.start + MINUTE)).toBeUndefined()
  })

  it('lets a client go on an allowed charge, not on an allowed cost of 0', async () => {
    const { policies, denied } = await minuteDenial()
    const allowed = { ...denied, allowed: true }
    const cache = new BlockCache(10)
    cache.record('client', policies, 1, clock.start, denied)
    cache.record('client', policies, 0, clock.start, allowed)
    expect(cache.denial('client', policies, 1, clock.start + 1)).toBeDefined()
    cache.record('client', policies, 1, clock.start, allowed)
    expect(cache.denial('client', policies, 1, clock.start + 1)).toBeUndefined()
    cache.record('client', policies, 1, clock.start, denied)
    cache.forget('client')
    expect(cache.size).toBe(0)
  })

  it('holds no degraded denial, no wait of 0, and only bans when told so', async () => {
    const { policies, denied } = await minuteDenial()
    const cache = new BlockCache(10)
    cache.record('client', policies, 1, clock.start, { ...denied, degraded: true })
    cache.record('client', policies, 1, clock.start, { ...denied, retryAfterMs: 0 })
    expect(cache.size).toBe(0)
    const bansOnly = new BlockCache(10, true)
    bansOnly.record('client', policies, 1, clock.start, denied)
    expect(bansOnly.size).toBe(0)
    bansOnly.record('client', policies, 1, clock.start, { ...denied, banned: true })
    expect(bansOnly.denial('client', policies, 1, clock.start + 1)).toBeDefined()
  })
})

describe('the limiter and its block cache', () => {
  it('records no ban a peek only foresees: the consume after it goes to the store, which starts the ban', async () => {
    const published = recordChannels()
    const ban = { afterRefusals: 1, durationMs: MINUTE }
    const policy = fixedWindow({ limit: 1, windowMs: MINUTE })
    const limiter = new RateLimiter({ store: new MemoryStore(), policy, ban, blockCache: true, clock: clock.now })
    clock.set(clock.start)
    await limiter.consume('client')
    expect(await limiter.peek('client')).toMatchObject({ allowed: false, banned: true })
    expect(await limiter.consume('client')).toMatchObject({ allowed: false, banned: true })
    expect(on(published, 'decision').map(({ operation, decidedBy }) => `${operation} ${decidedBy}`)).toEqual([
      'consume memory',
      'peek memory',
      'consume memory',
    ])
    expect((await limiter.consume('client')).banned).toBe(true) // the ban now held in the cache
    expect(on(published, 'decision').at(-1)?.decidedBy).toBe('block-cache')
  })
})
