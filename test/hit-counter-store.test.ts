// HitCounterStore on its own: the hit-counter Store interface of express-rate-limit and
// hono-rate-limiter, answered by our scripts on every store (the middleware come in
// test/hit-counter-middleware.test.ts).
import type { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import {
  HitCounterStore,
  MemoryStore,
  RateLimitOptionsError,
  RedisStore,
  type Store,
  StoreTimeoutError,
  StoreUnavailableError,
} from '../src/index.js'
import { privateRedis, uniquePrefix } from './helpers/redis.js'
import { sleep } from './helpers/redis-server.js'
import { createStore, storeKinds } from './helpers/stores.js'

describe.each(storeKinds)('HitCounterStore on the %s store', (kind) => {
  const store = createStore(kind)
  // A long deadline: these tests are about counting, on a machine that may be busy.
  const counter = (windowMs = 60_000) =>
    new HitCounterStore({ store, prefix: uniquePrefix('hits'), windowMs, timeoutMs: 10_000 })

  it('counts every hit from 1 in a window opened by the first hit, never extended by later hits', async () => {
    const hits = counter()
    const beforeMs = Date.now()
    const first = await hits.increment('client')
    const afterMs = Date.now()
    expect(first.totalHits).toBe(1)
    expect(first.resetTime.getTime()).toBeGreaterThanOrEqual(beforeMs - 5 + 60_000)
    expect(first.resetTime.getTime()).toBeLessThanOrEqual(afterMs + 5 + 60_000)
    await sleep(20)
    const counts = [await hits.increment('client'), await hits.increment('client')]
    expect(counts.map((each) => each.totalHits)).toEqual([2, 3])
    for (const each of counts) expect(each.resetTime).toEqual(first.resetTime)
  })

  it('counts clients and prefixes apart', async () => {
    const hits = counter()
    await hits.increment('one')
    expect((await hits.increment('two')).totalHits).toBe(1)
    expect((await counter().increment('one')).totalHits).toBe(1)
  })

  it('reports hits with get without counting one, and nothing for a client without hits', async () => {
    const hits = counter()
    expect(await hits.get('client')).toBeUndefined()
    const counted = await hits.increment('client')
    expect(await hits.get('client')).toEqual(counted)
    expect((await hits.increment('client')).totalHits).toBe(2)
  })

  it('gives back one hit per decrement, never below zero, keeping the window end', async () => {
    const hits = counter()
    const first = await hits.increment('client')
    await hits.increment('client')
    await hits.decrement('client')
    expect(await hits.get('client')).toEqual(first)
    await hits.decrement('client')
    await hits.decrement('client')
    expect(await hits.get('client')).toBeUndefined()
    expect((await hits.increment('client')).totalHits).toBe(1)
  })

  it('gives nothing back once the window ended: the next hit opens a new window at 1', async () => {
    const hits = counter(300)
    const old = await hits.increment('client')
    await hits.increment('client')
    await sleep(old.resetTime.getTime() - Date.now() + 20)
    await hits.decrement('client')
    const next = await hits.increment('client')
    expect(next.totalHits).toBe(1)
    expect(next.resetTime.getTime()).toBeGreaterThan(old.resetTime.getTime())
    await hits.decrement('client')
    expect(await hits.get('client')).toBeUndefined()
  })

  it('forgets a client with resetKey', async () => {
    const hits = counter()
    await hits.increment('client')
    await hits.increment('client')
    await hits.resetKey('client')
    expect(await hits.get('client')).toBeUndefined()
    expect((await hits.increment('client')).totalHits).toBe(1)
  })

  it("takes the middleware's windowMs from init", async () => {
    const hits = new HitCounterStore({ store, prefix: uniquePrefix('hits'), timeoutMs: 10_000 })
    hits.init({ windowMs: 5_000 })
    const beforeMs = Date.now()
    const { resetTime } = await hits.increment('client')
    expect(resetTime.getTime()).toBeGreaterThanOrEqual(beforeMs - 5 + 5_000)
    expect(resetTime.getTime()).toBeLessThanOrEqual(Date.now() + 5 + 5_000)
  })

  it(`says its keys are ${kind === 'memory' ? '' : 'not '}local to this process, and names its prefix`, () => {
    expect(new HitCounterStore({ store }).localKeys).toBe(kind === 'memory')
    expect(new HitCounterStore({ store }).prefix).toBe('erl')
    expect(new HitCounterStore({ store, prefix: 'login' }).prefix).toBe('login')
  })
})

describe('HitCounterStore options', () => {
  it('counts on a new MemoryStore by default, with a 60 s window', async () => {
    const hits = new HitCounterStore()
    expect(hits.localKeys).toBe(true)
    const { totalHits, resetTime } = await hits.increment('client')
    expect(totalHits).toBe(1)
    expect(resetTime.getTime() - Date.now()).toBeGreaterThan(59_900)
  })

  it.each([
    [{ windowMS: 1_000 }, /Unknown HitCounterStore option `windowMS`/],
    [{ windowMs: 0 }, /`windowMs` to be a positive integer/],
    [{ prefix: 'a{b}' }, /`prefix` to be a non-empty string without \{ or \}/],
    [{ store: {} }, /`store` to be a Store/],
    [{ timeoutMs: -1 }, /`timeoutMs` to be a positive integer/],
  ])('throws a RateLimitOptionsError naming the option for %o', (options, message) => {
    expect(() => new HitCounterStore(options as object)).toThrow(RateLimitOptionsError)
    expect(() => new HitCounterStore(options as object)).toThrow(message)
  })

  it('throws from init for a window it cannot count in', () => {
    const hits = new HitCounterStore({ store: new MemoryStore() })
    expect(() => hits.init({ windowMs: 1.5 })).toThrow(/`windowMs` to be a positive integer/)
  })

  it('throws a RateLimitOptionsError naming windowMs from init given no options', () => {
    const hits = new HitCounterStore({ store: new MemoryStore() })
    expect(() => hits.init(undefined as never)).toThrow(RateLimitOptionsError)
    expect(() => hits.init(undefined as never)).toThrow(/`windowMs` to be a positive integer.*, got undefined/)
  })
})

describe('HitCounterStore on a store that fails', () => {
  /** A memory store whose calls named in `failing` reject with `down`; the others it answers. */
  const storeFailing = (failing: readonly (keyof Store)[], down = new Error('down')) => {
    const memory = new MemoryStore()
    const calls = { decide: 0, refund: 0, reset: 0 }
    const answer = <T>(call: 'decide' | 'refund' | 'reset', answered: () => Promise<T>): Promise<T> => {
      calls[call]++
      return failing.includes(call) ? Promise.reject(down) : answered()
    }
    const store: Store = {
      decide: (request) => answer('decide', () => memory.decide(request)),
      refund: (refund) => answer('refund', () => memory.refund(refund)),
      reset: (target) => answer('reset', () => memory.reset(target)),
    }
    return { store, calls, down }
  }

  it("rejects decrement with the store's error when the refund fails, and counts on", async () => {
    const { store, down } = storeFailing(['refund'])
    const hits = new HitCounterStore({ store })
    await hits.increment('client')
    await expect(hits.decrement('client')).rejects.toBe(down)
    expect((await hits.increment('client')).totalHits).toBe(2)
  })

  it('asks the store for no refund when the client has no hits to give back', async () => {
    const { store, calls } = storeFailing([])
    const hits = new HitCounterStore({ store })
    await hits.decrement('client')
    expect(calls.refund).toBe(0)
    await hits.increment('client')
    await hits.decrement('client')
    expect(calls.refund).toBe(1)
    expect(await hits.get('client')).toBeUndefined()
  })

  it('rejects with a StoreUnavailableError, the store not asked, once the breaker opens', async () => {
    const { store, calls, down } = storeFailing(['decide'])
    const hits = new HitCounterStore({ store })
    // The breaker opens after 5 failures in a row (its default).
    for (let attempt = 0; attempt < 5; attempt++) await expect(hits.increment('client')).rejects.toBe(down)
    const refused = hits.increment('client')
    await expect(refused).rejects.toBeInstanceOf(StoreUnavailableError)
    await expect(refused).rejects.toThrow('the circuit breaker is open: the store was not asked')
    expect(calls.decide).toBe(5)
  })
})

/** A counter on the server `redis` holds, with a short deadline. */
const counterOn = (redis: { client: Redis }) =>
  new HitCounterStore({ store: new RedisStore({ client: redis.client }), prefix: uniquePrefix('down'), timeoutMs: 100 })

describe('HitCounterStore on a hung Redis', () => {
  const redis = privateRedis()

  it('rejects with a StoreTimeoutError when Redis does not answer within timeoutMs', async () => {
    const hits = counterOn(redis)
    redis.server.freeze(true)
    try {
      const startedMs = performance.now()
      await expect(hits.increment('client')).rejects.toBeInstanceOf(StoreTimeoutError)
      expect(performance.now() - startedMs).toBeLessThan(1_000)
    } finally {
      redis.server.freeze(false)
    }
  })

  it('rejects at once with a StoreUnavailableError while the circuit breaker keeps it cut off', {
    tags: ['speed'],
  }, async () => {
    const hits = counterOn(redis)
    redis.server.freeze(true)
    try {
      // The breaker opens after 5 failures in a row (its default).
      for (let attempt = 0; attempt < 5; attempt++)
        await expect(hits.increment('client')).rejects.toBeInstanceOf(StoreTimeoutError)
      const startedMs = performance.now()
      await expect(hits.increment('client')).rejects.toThrow(StoreUnavailableError)
      await expect(hits.increment('client')).rejects.toThrow(/circuit breaker is open/)
      expect(performance.now() - startedMs).toBeLessThan(50)
    } finally {
      redis.server.freeze(false)
    }
  })
})

describe('HitCounterStore on a stopped Redis', () => {
  const redis = privateRedis()

  it("rejects every call with the store's error, then counts again when Redis is back", async () => {
    const hits = counterOn(redis)
    await hits.increment('client')
    await redis.server.stop()
    try {
      const down = /reconnecting or closed/
      await expect(hits.increment('client')).rejects.toThrow(down)
      await expect(hits.get('client')).rejects.toThrow(down)
      await expect(hits.decrement('client')).rejects.toThrow(down)
      await expect(hits.resetKey('client')).rejects.toBeInstanceOf(Error)
    } finally {
      await redis.server.start()
    }
    // The restarted server holds nothing (persistence is off): the count starts again.
    await expect
      .poll(() => hits.increment('client').catch(() => undefined), { timeout: 5_000 })
      .toMatchObject({ totalHits: 1 })
  })
})
