import { describe, expect, it } from 'vitest'
import { RateLimiter, type RateLimiterOptions, type Store } from '../src/index.js'
import { algorithmNames, policyOf } from './helpers/policies.js'
import { uniquePrefix } from './helpers/redis.js'
import { createStore, manualClock, type StoreKind } from './helpers/stores.js'

const storeKinds = ['memory', 'standalone', 'cluster', 'functions', 'glide'] as const
const stores = Object.fromEntries(storeKinds.map((kind) => [kind, createStore(kind)])) as Record<StoreKind, Store>
const MINUTE = 60_000

/** A limiter of 3 per minute (fixed window unless told) on a clock the test moves, starting at a window's start. */
function limiterWith(kind: StoreKind, options: Partial<RateLimiterOptions>, algorithm = 'fixed-window') {
  const clock = manualClock(MINUTE)
  const limiter = new RateLimiter({
    store: stores[kind],
    policy: policyOf(algorithm, { limit: 3, windowMs: MINUTE }),
    prefix: uniquePrefix('penalty'),
    clock: clock.now,
    // Every request reaches the store: the block cache would answer those under a ban in-process.
    blockCache: false,
    ...options,
  })
  const at = (ms: number) => clock.set(clock.start + ms)
  return { limiter, at }
}

/** Bans the client at `atMs` (its whole quota of 3, then one request more) and tells the ban's length. */
function banLengthAt(limiter: RateLimiter, at: (ms: number) => void) {
  return async (atMs: number) => {
    at(atMs)
    await limiter.consume('client', { cost: 3 })
    const refused = await limiter.consume('client')
    expect(refused.banned).toBe(true)
    return refused.retryAfterMs
  }
}

describe.each(storeKinds)('bans (%s)', (kind) => {
  it('ban a client refused afterRefusals times in a row, for durationMs, then let it back under its policies', async () => {
    const { limiter, at } = limiterWith(kind, { ban: { afterRefusals: 2, durationMs: 10 * MINUTE } })
    for (let request = 0; request < 3; request++) expect((await limiter.consume('client')).allowed).toBe(true)
    expect(await limiter.consume('client')).toMatchObject({ allowed: false, banned: false, refusals: 1 })
    expect(await limiter.consume('client')).toMatchObject({
      allowed: false,
      banned: true,
      refusals: 2,
      retryAfterMs: 10 * MINUTE,
    })
    // New windows, but still banned: refusals under a ban count nothing, so two (at one instant, within
    // the refusals' memory) start no other ban, nor a third after them.
    for (const atMs of [5 * MINUTE, 5 * MINUTE, 6 * MINUTE]) {
      at(atMs)
      expect(await limiter.consume('client')).toMatchObject({
        allowed: false,
        banned: true,
        refusals: 0,
        retryAfterMs: 10 * MINUTE - atMs,
      })
    }
    at(10 * MINUTE)
    expect(await limiter.consume('client')).toMatchObject({ allowed: true, banned: false, refusals: 0 })
  })

  it('grow each later ban by growthFactor, up to maxDurationMs, and reset forgets them', async () => {
    const ban = { afterRefusals: 1, durationMs: MINUTE, growthFactor: 3, maxDurationMs: 5 * MINUTE }
    const { limiter, at } = limiterWith(kind, { ban }, 'gcra')
    const banLength = banLengthAt(limiter, at)
    expect(await banLength(0)).toBe(MINUTE)
    expect(await banLength(2 * MINUTE)).toBe(3 * MINUTE)
    // The store keeps that ban as long as it said, not a growth step more.
    at(5 * MINUTE - 1)
    expect(await limiter.peek('client')).toMatchObject({ banned: true, retryAfterMs: 1 })
    at(5 * MINUTE)
    expect(await limiter.peek('client')).toMatchObject({ allowed: true, banned: false })
    expect(await banLength(10 * MINUTE)).toBe(5 * MINUTE)
    at(15 * MINUTE) // a ban of maxDurationMs is kept no longer
    expect(await limiter.peek('client')).toMatchObject({ allowed: true, banned: false })
    await limiter.reset('client')
    expect(await banLength(20 * MINUTE)).toBe(MINUTE)
  })

  it('remember bans across allowed requests and refusals short of a ban: the next grows from the last', async () => {
    const ban = { afterRefusals: 2, durationMs: 2 * MINUTE, growthFactor: 2 }
    const { limiter, at } = limiterWith(kind, { ban })
    const refusedTwice = async () => {
      expect(await limiter.consume('client')).toMatchObject({ allowed: false, banned: false, refusals: 1 })
      return limiter.consume('client')
    }
    await limiter.consume('client', { cost: 3 })
    expect(await refusedTwice()).toMatchObject({ banned: true, retryAfterMs: 2 * MINUTE })
    at(2 * MINUTE) // the ban is over: an allowed request, then one refusal, short of a ban
    expect(await limiter.consume('client', { cost: 3 })).toMatchObject({ allowed: true, refusals: 0 })
    at(2.5 * MINUTE)
    expect(await limiter.consume('client')).toMatchObject({ allowed: false, banned: false, refusals: 1 })
    at(3 * MINUTE) // allowed while that refusal is still remembered: the run ends, the ban is not forgotten
    expect(await limiter.consume('client', { cost: 3 })).toMatchObject({ allowed: true, refusals: 0 })
    expect(await refusedTwice()).toMatchObject({ banned: true, retryAfterMs: 4 * MINUTE })
  })

  it('decide requests sent together, in one script call on Redis, as one after another', async () => {
    const { limiter } = limiterWith(kind, { ban: { afterRefusals: 2, durationMs: 10 * MINUTE } })
    // Two clients taking turns: each request must read and write its own client's keys.
    const decisions = await Promise.all(Array.from({ length: 14 }, (_, at) => limiter.consume(`client-${at % 2}`)))
    const expected = [
      { allowed: true, banned: false, refusals: 0 },
      { allowed: true, banned: false, refusals: 0 },
      { allowed: true, banned: false, refusals: 0 },
      { allowed: false, banned: false, refusals: 1 },
      { allowed: false, banned: true, refusals: 2 },
      { allowed: false, banned: true, refusals: 0 },
      { allowed: false, banned: true, refusals: 0 },
    ]
    const seen = decisions.map(({ allowed, banned, refusals }) => ({ allowed, banned, refusals }))
    expect(seen.filter((_, at) => at % 2 === 0)).toEqual(expected)
    expect(seen.filter((_, at) => at % 2 === 1)).toEqual(expected)
  })

  it('apply a refund sent together with decisions, in one script call on Redis, before the decisions after it', async () => {
    const { limiter } = limiterWith(kind, { ban: { afterRefusals: 2, durationMs: 10 * MINUTE } })
    const first = await limiter.consume('client', { cost: 3 })
    const [, afterRefund, other, refused] = await Promise.all([
      limiter.refund(first),
      limiter.consume('client', { cost: 3 }),
      limiter.consume('other'),
      limiter.consume('client'),
    ])
    expect(afterRefund).toMatchObject({ allowed: true, remaining: 0 })
    expect(other).toMatchObject({ allowed: true, remaining: 2, refusals: 0 })
    expect(refused).toMatchObject({ allowed: false, refusals: 1 })
  })

  it('decide a client sent after a refund, in one script call on Redis, on its own keys', async () => {
    const { limiter } = limiterWith(kind, { ban: { afterRefusals: 2, durationMs: 10 * MINUTE } })
    const first = await limiter.consume('client')
    await limiter.consume('client')
    // The first request of a turn may go alone; the refund and the request after it share a call.
    const [, , other] = await Promise.all([limiter.consume('opener'), limiter.refund(first), limiter.consume('other')])
    expect(other).toMatchObject({ allowed: true, remaining: 2, refusals: 0 })
    expect(await limiter.peek('client')).toMatchObject({ remaining: 2 })
  })

  it('forget past bans the very ms forgetAfterMs has passed since the last ended, so the next is as short as the first', async () => {
    const ban = { afterRefusals: 1, durationMs: MINUTE, growthFactor: 3, forgetAfterMs: 10 * MINUTE }
    const { limiter, at } = limiterWith(kind, { ban }, 'gcra')
    const banAt = banLengthAt(limiter, at)
    expect(await banAt(0)).toBe(MINUTE)
    at(5 * MINUTE) // an allowed request ends the run of refusals; the ban is still remembered
    expect(await limiter.consume('client')).toMatchObject({ allowed: true, banned: false })
    expect(await banAt(11 * MINUTE)).toBe(MINUTE)
    at(12 * MINUTE)
    expect(await limiter.peek('client')).toMatchObject({ banned: false })
  })

  it('are only reported by peek: a peek counts no refusal and starts no ban', async () => {
    const { limiter } = limiterWith(kind, { ban: { afterRefusals: 1 } })
    await limiter.consume('client', { cost: 3 })
    for (let peek = 0; peek < 3; peek++)
      expect(await limiter.peek('client')).toMatchObject({ allowed: false, banned: true })
    expect(await limiter.consume('client')).toMatchObject({ banned: true, refusals: 1 })
  })
})

describe.each(storeKinds)('continueExceeding (%s)', (kind) => {
  it.each(algorithmNames)(
    'keeps a client that keeps knocking refused, until it waits a whole window (%s)',
    async (algorithm) => {
      const { limiter, at } = limiterWith(kind, { continueExceeding: true }, algorithm)
      await limiter.consume('client', { cost: 3 })
      // Knocking every 40 s: each refusal closes the next whole minute again.
      for (const atMs of [1_000, 41_000, 81_000, 121_000]) {
        at(atMs)
        const refused = await limiter.consume('client')
        expect(refused.allowed).toBe(false)
        // The block's minute, or longer where the policy itself asks more (the sliding window's fading units).
        if (algorithm === 'sliding-window') expect(refused.retryAfterMs).toBeGreaterThanOrEqual(MINUTE)
        else expect(refused.retryAfterMs).toBe(MINUTE)
      }
      // The block ends at 181 s to the ms: a request then is charged like any other (2 of 3 left).
      at(181_000)
      expect(await limiter.consume('client')).toMatchObject({ allowed: true, refusals: 0, remaining: 2 })
      expect(await limiter.peek('client')).toMatchObject({ allowed: true, remaining: 2 })
    },
  )
  it('start a first ban at its first length when blocks came before it: a block is no ban', async () => {
    const ban = { afterRefusals: 2, durationMs: 2 * MINUTE, growthFactor: 2 }
    const { limiter } = limiterWith(kind, { continueExceeding: true, ban })
    await limiter.consume('client', { cost: 3 })
    expect(await limiter.consume('client')).toMatchObject({ allowed: false, banned: false, retryAfterMs: MINUTE })
    expect(await limiter.consume('client')).toMatchObject({ banned: true, retryAfterMs: 2 * MINUTE })
    // As stored, too: the next request meets the ban in force, ending when it was told.
    expect(await limiter.peek('client')).toMatchObject({ banned: true, retryAfterMs: 2 * MINUTE })
  })
})

describe.each(storeKinds)('countRefusals (%s)', (kind) => {
  it('number refusals in a row from 1, and start again after an allowed request', async () => {
    const { limiter, at } = limiterWith(kind, { countRefusals: true })
    await limiter.consume('client', { cost: 3 })
    const refusals = async () => (await limiter.consume('client')).refusals
    at(MINUTE - 1_000)
    expect([await refusals(), await refusals(), await refusals()]).toEqual([1, 2, 3])
    // A new window, a second after the last refusal: the run ends by the allowed request, not by time.
    at(MINUTE)
    expect(await refusals()).toBe(0)
    await limiter.consume('client', { cost: 2 })
    expect(await refusals()).toBe(1)
  })

  it('forget a run of refusals the very ms a window has passed since the last', async () => {
    // The sliding window still refuses a minute on, by the weight of the minute before.
    const { limiter, at } = limiterWith(kind, { countRefusals: true }, 'sliding-window')
    await limiter.consume('client', { cost: 3 })
    at(1_000)
    expect(await limiter.consume('client')).toMatchObject({ allowed: false, refusals: 1 })
    at(61_000)
    expect(await limiter.consume('client')).toMatchObject({ allowed: false, refusals: 1 })
    at(62_000)
    expect(await limiter.consume('client')).toMatchObject({ allowed: false, refusals: 2 })
  })
})

describe('penalty options', () => {
  it('are checked, each named', () => {
    expect(() => new RateLimiter({ store: stores.standalone, ban: { afterRefusals: 0 } })).toThrow('`afterRefusals`')
    expect(() => new RateLimiter({ store: stores.standalone, ban: { afterRefusals: 1, growthFactor: 1.5 } })).toThrow(
      '`growthFactor`',
    )
    // @ts-expect-error a flag, not a number
    expect(() => new RateLimiter({ store: stores.standalone, continueExceeding: 1 })).toThrow('`continueExceeding`')
  })

  it('need a store that applies them', () => {
    const store: Store = {
      decide: async () => ({ nowMs: 0, outcomes: [] }),
      refund: async () => {},
      reset: async () => {},
    }
    expect(() => new RateLimiter({ store, ban: { afterRefusals: 3 } })).toThrow('a store that applies penalties')
  })
})
