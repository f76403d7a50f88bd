import { describe, expect, it, vi } from 'vitest'
import { fixedWindow, MemoryStore, RateLimiter } from '../src/index.js'

const SECOND = 1_000

function limiterOn(store: MemoryStore, clock: () => number, limit = 1) {
  return new RateLimiter({ store, clock, policy: fixedWindow({ limit, windowMs: SECOND }) })
}

describe('MemoryStore', () => {
  it('sweeps expired keys as new keys arrive, two for each, from the moment their window ends', async () => {
    const store = new MemoryStore()
    let nowMs = 0
    const limiter = limiterOn(store, () => nowMs)
    for (let key = 0; key < 1_000; key++) await limiter.consume(`old-${key}`)
    expect(store.size).toBe(1_000)
    nowMs = SECOND
    for (let key = 0; key < 400; key++) await limiter.consume(`new-${key}`)
    // Each new key sweeps the next two in a walk that goes on from where it stopped: 800 looked at,
    // some of them new keys once the walk comes round.
    expect(store.size).toBeGreaterThan(1_400 - 800)
    expect(store.size).toBeLessThan(1_400 - 700)
    for (let key = 400; key < 1_000; key++) await limiter.consume(`new-${key}`)
    expect(store.size).toBe(1_000)
  })

  it('keeps apart two prefixes that decide under the same policy list', async () => {
    const store = new MemoryStore()
    const policies = Object.freeze([fixedWindow({ limit: 1, windowMs: SECOND })])
    const request = (prefix: string) => ({ prefix, key: 'k', policies, cost: 1, mode: 'consume' as const, nowMs: 0 })
    expect(store.decideNow(request('one')).outcomes[0]?.allowed).toBe(true)
    expect(store.decideNow(request('two')).outcomes[0]?.allowed).toBe(true)
    expect(store.decideNow(request('one')).outcomes[0]?.allowed).toBe(false)
  })

  it.each([
    ['one policy', [fixedWindow({ limit: 2, windowMs: SECOND })]],
    ['two policies', [fixedWindow({ limit: 2, windowMs: SECOND }), fixedWindow({ limit: 4, windowMs: 60 * SECOND })]],
  ])('holds at most maxKeys, forgetting the least recently charged first (%s)', async (_, policy) => {
    const store = new MemoryStore({ maxKeys: 3 })
    const limiter = new RateLimiter({ store, clock: () => 0, policy })
    for (const key of ['a', 'b', 'c']) await limiter.consume(key)
    await limiter.consume('a') // a is now the most recently charged
    await limiter.consume('d') // evicts b
    expect(store.size).toBe(3)
    expect((await limiter.peek('a')).remaining).toBe(0)
    expect((await limiter.peek('b')).remaining).toBe(2)
    expect((await limiter.peek('c')).remaining).toBe(1)
  })

  it('gives back nothing, and reports nothing, for a key it no longer holds', async () => {
    const store = new MemoryStore({ maxKeys: 1 })
    const onError = vi.fn()
    const limiter = new RateLimiter({
      store,
      onError,
      clock: () => 0,
      policy: fixedWindow({ limit: 2, windowMs: SECOND }),
    })
    const charged = await limiter.consume('k')
    await limiter.consume('other') // evicts k
    await limiter.refund(charged)
    expect(onError).not.toHaveBeenCalled()
    expect(store.size).toBe(1)
    expect((await limiter.peek('k')).remaining).toBe(2)
  })

  it('stores long keys by digest and still tells them apart', async () => {
    const store = new MemoryStore()
    const limiter = limiterOn(store, () => 0)
    const long = 'k'.repeat(100_000)
    expect((await limiter.consume(`${long}1`)).allowed).toBe(true)
    expect((await limiter.consume(`${long}2`)).allowed).toBe(true)
    expect((await limiter.consume(`${long}1`)).allowed).toBe(false)
    expect(store.size).toBe(2)
  })

  it('keeps limiters with different prefixes apart', async () => {
    const store = new MemoryStore()
    const policy = fixedWindow({ limit: 1, windowMs: SECOND })
    const first = new RateLimiter({ store, policy, prefix: 'one', clock: () => 0 })
    const second = new RateLimiter({ store, policy, prefix: 'two', clock: () => 0 })
    expect((await first.consume('k')).allowed).toBe(true)
    expect((await second.consume('k')).allowed).toBe(true)
    expect((await first.consume('k')).allowed).toBe(false)
  })

  it('refunds and resets each policy of a key, whichever limiter stored it first', async () => {
    const store = new MemoryStore()
    const clock = () => 0
    const policies = [fixedWindow({ limit: 3, windowMs: SECOND }), fixedWindow({ limit: 5, windowMs: 60 * SECOND })]
    const other = new RateLimiter({ store, clock, policy: fixedWindow({ limit: 9, windowMs: SECOND }), prefix: 'a' })
    const limiter = new RateLimiter({ store, clock, policy: policies, prefix: 'b' })
    await other.consume('k')
    const remainingOf = async () => (await limiter.peek('k')).policies.map((policy) => policy.remaining)
    const charged = await limiter.consume('k', { cost: 2 })
    expect(await remainingOf()).toEqual([1, 3])
    await limiter.refund(charged)
    expect(await remainingOf()).toEqual([3, 5])
    await limiter.consume('k', { cost: 2 })
    await limiter.reset('k')
    expect(await remainingOf()).toEqual([3, 5])
    expect((await other.peek('k')).remaining).toBe(8)
  })
})
