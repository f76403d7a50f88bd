// The fixed window that opens at a client's first request (lua/fixed-window-anchored.lua and its
// TypeScript twin), example by example, on every store: where the window opens and closes, what a
// denied request and a cost of 0 do to it, a clock that steps back, refunds at each edge.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { fixedWindow, RateLimiter } from '../src/index.js'
import { uniquePrefix } from './helpers/redis.js'
import { createStore, manualClock, storeKinds } from './helpers/stores.js'

const MINUTE = 60_000

describe.each(storeKinds)('the anchored fixed window on the %s store', (kind) => {
  const store = createStore(kind)
  const clock = manualClock(3_600_000)
  // A store call that fails (a refund included, which answers nothing) is reported here.
  const onError = vi.fn()
  afterEach(() => {
    expect(onError).not.toHaveBeenCalled()
  })
  // A first request well inside an hour and off any whole second: the window owes nothing to the grid.
  const startMs = () => clock.start + 1_234
  const anchored = (limit = 3) =>
    new RateLimiter({
      store,
      policy: fixedWindow({ limit, windowMs: MINUTE, anchor: 'first-request' }),
      prefix: uniquePrefix('fwa'),
      clock: clock.now,
      blockCache: false,
      onError,
    })

  it('opens the window at the first request and closes it exactly windowMs later', async () => {
    const limiter = anchored()
    clock.set(startMs())
    expect(await limiter.consume('client')).toMatchObject({
      allowed: true,
      remaining: 2,
      resetAfterMs: MINUTE,
      retryAfterMs: 0,
      nextQuotaMs: MINUTE,
    })
    clock.set(startMs() + MINUTE - 1)
    expect(await limiter.consume('client')).toMatchObject({ allowed: true, remaining: 1, resetAfterMs: 1 })
    clock.set(startMs() + MINUTE)
    expect(await limiter.consume('client')).toMatchObject({ allowed: true, remaining: 2, resetAfterMs: MINUTE })
  })

  it('tells a denied request the exact wait and neither opens nor moves the window for it', async () => {
    const limiter = anchored()
    clock.set(startMs())
    await limiter.consume('client', { cost: 3 })
    clock.set(startMs() + 10_000)
    expect(await limiter.consume('client')).toMatchObject({
      allowed: false,
      remaining: 0,
      resetAfterMs: MINUTE - 10_000,
      retryAfterMs: MINUTE - 10_000,
      nextQuotaMs: MINUTE - 10_000,
    })
    clock.set(startMs() + MINUTE - 1)
    expect(await limiter.consume('client')).toMatchObject({ allowed: false, retryAfterMs: 1 })
    clock.set(startMs() + MINUTE)
    expect(await limiter.consume('client', { cost: 3 })).toMatchObject({ allowed: true, remaining: 0 })
  })

  it('waits out the window for a cost equal to the limit, and never for a cost above it', async () => {
    const limiter = anchored()
    clock.set(startMs())
    await limiter.consume('client')
    clock.set(startMs() + 20_000)
    expect(await limiter.consume('client', { cost: 3 })).toMatchObject({
      allowed: false,
      retryAfterMs: MINUTE - 20_000,
    })
    expect(await limiter.consume('client', { cost: 4 })).toMatchObject({
      allowed: false,
      retryAfterMs: Number.POSITIVE_INFINITY,
    })
    expect(await anchored().consume('newcomer', { cost: 4 })).toMatchObject({
      allowed: false,
      remaining: 3,
      resetAfterMs: 0,
      retryAfterMs: Number.POSITIVE_INFINITY,
    })
  })

  it('opens no window for a cost of 0: the first request that costs something does', async () => {
    const limiter = anchored()
    clock.set(startMs())
    expect(await limiter.consume('client', { cost: 0 })).toMatchObject({
      allowed: true,
      remaining: 3,
      resetAfterMs: 0,
      nextQuotaMs: 0,
    })
    clock.set(startMs() + 30_000)
    expect(await limiter.consume('client')).toMatchObject({ remaining: 2, resetAfterMs: MINUTE })
  })

  it('counts a clock that steps back before the window opened as its opening: no time passed', async () => {
    const limiter = anchored()
    clock.set(startMs())
    await limiter.consume('client')
    clock.set(startMs() - 30_000)
    expect(await limiter.consume('client')).toMatchObject({ allowed: true, remaining: 1, resetAfterMs: MINUTE })
    clock.set(startMs() + 15_000)
    expect(await limiter.consume('client')).toMatchObject({ remaining: 0, resetAfterMs: MINUTE - 15_000 })
  })

  it('refunds a charge of the stored window, the first request included, never below zero', async () => {
    const limiter = anchored()
    clock.set(startMs())
    const first = await limiter.consume('client')
    clock.set(startMs() + 5_000)
    await limiter.refund(first)
    expect(await limiter.peek('client')).toMatchObject({ remaining: 3 })
    await limiter.refund(first)
    expect(await limiter.peek('client')).toMatchObject({ remaining: 3 })
  })

  it('refunds a charge up to the last ms of its window, and none from a later window', async () => {
    const limiter = anchored()
    clock.set(startMs() + MINUTE)
    const later = await limiter.consume('client', { cost: 2 })
    await limiter.reset('client')
    clock.set(startMs())
    const early = await limiter.consume('client', { cost: 2 })
    // The window opened at startMs holds 2; `later` was charged at its end, in the window after it.
    clock.set(startMs() + 1)
    await limiter.refund(later)
    expect(await limiter.peek('client')).toMatchObject({ remaining: 1 })
    clock.set(startMs() + MINUTE - 1)
    await limiter.refund(early)
    // Refunded with 1 ms of the window left (on Redis the key may then expire at once: all 3 back).
    expect((await limiter.peek('client')).remaining).toBeGreaterThanOrEqual(2)
  })

  it('refunds nothing once the window is over, and lets the next request open a new one', async () => {
    const limiter = anchored()
    clock.set(startMs())
    const charged = await limiter.consume('client', { cost: 3 })
    clock.set(startMs() + MINUTE)
    await expect(limiter.refund(charged)).resolves.toBeUndefined()
    expect(await limiter.consume('client', { cost: 3 })).toMatchObject({ allowed: true, resetAfterMs: MINUTE })
  })

  it('refunds nothing for a charge from before the stored window, nor for a key that is gone', async () => {
    const limiter = anchored()
    clock.set(startMs())
    const first = await limiter.consume('client', { cost: 2 })
    clock.set(startMs() + MINUTE + 5_000)
    await limiter.consume('client')
    await limiter.refund(first)
    expect(await limiter.peek('client')).toMatchObject({ remaining: 2 })
    await limiter.reset('client')
    await limiter.refund(first)
    expect(await limiter.peek('client')).toMatchObject({ remaining: 3 })
  })
})
