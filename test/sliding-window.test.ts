// The sliding window's own edges, on every store: a clock stepping back into an earlier window, and
// refunds of the window before (whose units fade) and at the very end of a key's life.
import { describe, expect, it, vi } from 'vitest'
import { RateLimiter, type RateLimiterOptions, slidingWindow } from '../src/index.js'
import { uniquePrefix } from './helpers/redis.js'
import { createStore, manualClock, storeKinds } from './helpers/stores.js'

const MINUTE = 60_000

describe.each(storeKinds)('sliding window on the %s store', (kind) => {
  const store = createStore(kind)
  const clock = manualClock(MINUTE)
  /** A limiter of 10 a minute on the test's clock, set to a minute's start; `at` sets it, in ms from there. */
  const tenPerMinute = (options: RateLimiterOptions = {}) => {
    clock.set(clock.start)
    const policy = slidingWindow({ limit: 10, windowMs: MINUTE })
    const limiter = new RateLimiter({ store, policy, prefix: uniquePrefix('sw'), clock: clock.now, ...options })
    return { limiter, at: (ms: number) => clock.set(clock.start + ms) }
  }

  it('counts a request whose clock steps back into an earlier window as made when the stored one opened', async () => {
    const { limiter, at } = tenPerMinute()
    at(MINUTE + 5_000)
    await limiter.consume('client', { cost: 2 })
    // 15 s back, into the minute before: no time passed since the stored window opened, so its
    // units weigh until two whole windows from then.
    at(50_000)
    expect(await limiter.consume('client')).toMatchObject({ allowed: true, remaining: 7, resetAfterMs: 2 * MINUTE })
  })

  it('gives a charge of the window before back to its fading units', async () => {
    const { limiter, at } = tenPerMinute()
    const charged = await limiter.consume('client', { cost: 4 })
    at(MINUTE) // the next window: those 4 units fade as it goes by
    await limiter.consume('client')
    at(1.5 * MINUTE) // half of them still weigh
    expect((await limiter.peek('client')).remaining).toBe(10 - 1 - 2)
    await limiter.refund(charged)
    expect((await limiter.peek('client')).remaining).toBe(10 - 1)
  })

  it('gives nothing back for a charge two windows old, though the window before holds units', async () => {
    const { limiter, at } = tenPerMinute()
    const old = await limiter.consume('client', { cost: 4 })
    at(MINUTE)
    await limiter.consume('client', { cost: 2 })
    at(2.5 * MINUTE) // the 2 units of the window before weigh as 1; the 4 no longer weigh
    await limiter.consume('client')
    expect((await limiter.peek('client')).remaining).toBe(10 - 1 - 1)
    await limiter.refund(old)
    expect((await limiter.peek('client')).remaining).toBe(10 - 1 - 1)
  })

  it('gives a charge back 1 ms before its units stop weighing, and fails no refund at that very ms', async () => {
    const onError = vi.fn()
    const { limiter, at } = tenPerMinute({ onError })
    const first = await limiter.consume('client', { cost: 4 })
    at(2 * MINUTE - 1) // 4 units of the window before, all but 1 ms of it gone: they weigh as 1
    expect((await limiter.peek('client')).remaining).toBe(9)
    await limiter.refund(first)
    expect((await limiter.peek('client')).remaining).toBe(10)

    at(2 * MINUTE)
    const second = await limiter.consume('client', { cost: 4 })
    at(4 * MINUTE) // the state's last ms has passed: nothing left to give back, and nothing to fail
    await limiter.refund(second)
    expect(await limiter.peek('client')).toMatchObject({ remaining: 10, resetAfterMs: 0 })
    expect(onError).not.toHaveBeenCalled()
  })
})
