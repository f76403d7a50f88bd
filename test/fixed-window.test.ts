import { describe, expect, it, vi } from 'vitest'
import { fixedWindow, type Policy, RateLimiter, type RateLimiterOptions } from '../src/index.js'
import { uniquePrefix } from './helpers/redis.js'
import { createStore, manualClock, storeKinds } from './helpers/stores.js'

const MINUTE = 60_000

describe.each(storeKinds)('fixed window on the %s store', (kind) => {
  const store = createStore(kind)
  const clock = manualClock(3_600_000) // hour-aligned: the hourly policies do not roll over mid-test
  const limiterFor = (policy: Policy | Policy[], options: RateLimiterOptions = {}) =>
    new RateLimiter({ store, policy, prefix: uniquePrefix('fw'), clock: clock.now, ...options })
  const perMinute = (limit: number) => limiterFor(fixedWindow({ limit, windowMs: MINUTE }))

  it('charges a cost of 10 out of 100 and leaves 90', async () => {
    clock.set(clock.start + 1_000)
    const result = await perMinute(100).consume('client', { cost: 10 })
    expect(result).toMatchObject({ allowed: true, limit: 100, remaining: 90, resetAfterMs: 59_000, retryAfterMs: 0 })
  })

  it('denies a cost that does not fit and charges nothing', async () => {
    clock.set(clock.start)
    const limiter = perMinute(100)
    await limiter.consume('client', { cost: 95 })
    const denied = await limiter.consume('client', { cost: 10 })
    expect(denied).toMatchObject({ allowed: false, remaining: 5, retryAfterMs: MINUTE })
    expect(await limiter.consume('client', { cost: 5 })).toMatchObject({ allowed: true, remaining: 0 })
  })

  it('does not extend the window for denied requests', async () => {
    clock.set(clock.start)
    const limiter = perMinute(2)
    await limiter.consume('client', { cost: 2 })
    for (let second = 1; second < 60; second++) {
      clock.set(clock.start + second * 1_000)
      expect(await limiter.consume('client')).toMatchObject({ allowed: false, retryAfterMs: MINUTE - second * 1_000 })
    }
    clock.set(clock.start + MINUTE)
    expect(await limiter.consume('client')).toMatchObject({ allowed: true, remaining: 1 })
  })

  it('counts a request whose clock steps back into an earlier window against the stored, later one', async () => {
    const limiter = perMinute(3)
    clock.set(clock.start + MINUTE + 5_000)
    await limiter.consume('client')
    // 15 s back, into the minute before: no time passed since the stored window opened.
    clock.set(clock.start + 50_000)
    expect(await limiter.consume('client')).toMatchObject({ allowed: true, remaining: 1, resetAfterMs: MINUTE })
    clock.set(clock.start + MINUTE + 20_000)
    expect(await limiter.consume('client')).toMatchObject({ allowed: true, remaining: 0, resetAfterMs: 40_000 })
  })

  it('allows again exactly retryAfterMs after a denial, not 1 ms sooner', async () => {
    clock.set(clock.start + 12_345)
    const limiter = perMinute(3)
    await limiter.consume('client', { cost: 3 })
    const { retryAfterMs } = await limiter.consume('client')
    clock.set(clock.start + 12_345 + retryAfterMs - 1)
    expect((await limiter.consume('client')).allowed).toBe(false)
    clock.set(clock.start + 12_345 + retryAfterMs)
    expect((await limiter.consume('client')).allowed).toBe(true)
  })

  it('peeks without charging', async () => {
    clock.set(clock.start)
    const limiter = perMinute(10)
    await limiter.consume('client', { cost: 4 })
    for (let peek = 0; peek < 3; peek++)
      expect(await limiter.peek('client')).toMatchObject({ allowed: true, remaining: 6, resetAfterMs: MINUTE })
    expect(await limiter.peek('client', { cost: 7 })).toMatchObject({ allowed: false, remaining: 6 })
    expect(await limiter.consume('client', { cost: 6 })).toMatchObject({ allowed: true, remaining: 0 })
  })

  it('restores the whole quota on reset', async () => {
    clock.set(clock.start)
    const limiter = perMinute(5)
    await limiter.consume('client', { cost: 5 })
    await limiter.reset('client')
    expect(await limiter.peek('client')).toMatchObject({ allowed: true, remaining: 5, resetAfterMs: 0 })
  })

  it('charges nothing for cost 0, and never allows a cost above the limit', async () => {
    clock.set(clock.start)
    const limiter = perMinute(5)
    expect(await limiter.consume('client', { cost: 0 })).toMatchObject({ allowed: true, remaining: 5, resetAfterMs: 0 })
    const tooBig = await limiter.consume('client', { cost: 6 })
    expect(tooBig).toMatchObject({ allowed: false, remaining: 5, retryAfterMs: Number.POSITIVE_INFINITY })
  })

  it('keeps separate quotas for separate keys, whatever their characters or length', async () => {
    clock.set(clock.start)
    const limiter = perMinute(1)
    const keys = ['a', 'b', '{a}', '{b}', 'x\ny', 'é🙂', 'k'.repeat(10_240), `${'k'.repeat(10_239)}l`]
    for (const key of keys) expect((await limiter.consume(key)).allowed, key.slice(0, 20)).toBe(true)
    for (const key of keys) expect((await limiter.consume(key)).allowed, key.slice(0, 20)).toBe(false)
  })

  it('refunds what a consume charged, keeping to that window and never going below zero', async () => {
    clock.set(clock.start)
    const limiter = perMinute(10)
    const charged = await limiter.consume('client', { cost: 4 })
    await limiter.refund(charged)
    expect((await limiter.peek('client')).remaining).toBe(10)
    await limiter.refund(charged) // a second refund of the same result gives nothing more
    const again = await limiter.consume('client', { cost: 6 })
    await limiter.reset('client')
    await limiter.consume('client', { cost: 1 })
    await limiter.refund(again)
    expect((await limiter.peek('client')).remaining).toBe(10)

    const lastWindow = await limiter.consume('client', { cost: 9 })
    clock.set(clock.start + MINUTE)
    await limiter.consume('client', { cost: 2 })
    await limiter.refund(lastWindow)
    expect((await limiter.peek('client')).remaining).toBe(8)
  })

  it("refunds up to the last ms of the charge's window, and nothing from its end on", async () => {
    const onError = vi.fn()
    const limiter = limiterFor(fixedWindow({ limit: 10, windowMs: MINUTE }), { onError })
    clock.set(clock.start)
    const lastMs = await limiter.consume('last-ms', { cost: 4 })
    const atEnd = await limiter.consume('at-end', { cost: 4 })
    clock.set(clock.start + MINUTE - 1)
    await limiter.refund(lastMs)
    expect((await limiter.peek('last-ms')).remaining).toBe(10)
    clock.set(clock.start + MINUTE)
    await limiter.refund(atEnd)
    expect(await limiter.peek('at-end')).toMatchObject({ remaining: 10, resetAfterMs: 0 })
    expect(onError).not.toHaveBeenCalled()
  })

  it('refunds nothing for a denied result, and every policy for an allowed one', async () => {
    clock.set(clock.start)
    const limiter = limiterFor([
      fixedWindow({ limit: 2, windowMs: MINUTE }),
      fixedWindow({ limit: 5, windowMs: 3_600_000 }),
    ])
    await limiter.consume('client', { cost: 2 })
    const denied = await limiter.consume('client')
    await limiter.refund(denied)
    expect((await limiter.peek('client')).policies.map((policy) => policy.remaining)).toEqual([0, 3])
    const allowed = await limiter.consume('other', { cost: 2 })
    await limiter.refund(allowed)
    expect((await limiter.peek('other')).policies.map((policy) => policy.remaining)).toEqual([2, 5])
    await expect(limiter.refund({} as never)).rejects.toThrow(/`result`/)
  })

  it('decides several policies at once, all or nothing', async () => {
    clock.set(clock.start)
    const limiter = limiterFor([
      fixedWindow({ limit: 5, windowMs: MINUTE }),
      fixedWindow({ limit: 8, windowMs: 3_600_000 }),
    ])
    for (let request = 0; request < 5; request++) expect((await limiter.consume('client')).allowed).toBe(true)
    const denied = await limiter.consume('client')
    expect(denied).toMatchObject({ allowed: false, policy: '5-per-60s', retryAfterMs: MINUTE })
    expect(denied.policies.map((policy) => [policy.policy, policy.allowed, policy.remaining])).toEqual([
      ['5-per-60s', false, 0],
      ['8-per-3600s', true, 3],
    ])
    clock.set(clock.start + MINUTE)
    for (let request = 0; request < 3; request++) expect((await limiter.consume('client')).allowed).toBe(true)
    expect(await limiter.consume('client')).toMatchObject({ allowed: false, policy: '8-per-3600s', remaining: 0 })
    expect((await limiter.peek('client')).policies[0]).toMatchObject({ allowed: true, remaining: 2 })
  })
})
