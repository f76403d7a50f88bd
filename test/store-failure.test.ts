import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  fixedWindow,
  RateLimiter,
  type RateLimiterOptions,
  RedisStore,
  type Store,
  StoreTimeoutError,
  StoreUnavailableError,
} from '../src/index.js'
import { recordChannels } from './helpers/channels.js'
import { uniquePrefix } from './helpers/redis.js'
import { type RedisServer, sleep, startRedisServer } from './helpers/redis-server.js'

const TIMEOUT_MS = 100
/** Scheduling slack allowed on top of `timeoutMs` on a busy 2-core machine. */
const MARGIN_MS = 60

const unhandled: unknown[] = []
const recordUnhandled = (reason: unknown) => unhandled.push(reason)
beforeEach(() => {
  unhandled.length = 0
  process.on('unhandledRejection', recordUnhandled)
})
afterEach(() => {
  process.off('unhandledRejection', recordUnhandled)
})

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; elapsedMs: number }> {
  const startedMs = performance.now()
  const value = await work()
  return { value, elapsedMs: performance.now() - startedMs }
}

describe('with the Redis server stopped', () => {
  let server: RedisServer
  let client: Redis
  beforeAll(async () => {
    server = await startRedisServer()
    // The test's own choice: queued commands fail fast, so their late rejections happen during the test.
    client = new Redis({ host: '127.0.0.1', port: server.port, maxRetriesPerRequest: 1 })
    client.on('error', () => {}) // connection errors are expected here; the limiter reports its own
    await client.ping()
    await server.stop()
  })
  afterAll(async () => {
    client.disconnect()
    await server.destroy()
  })
  const limiterWith = (options: RateLimiterOptions) =>
    new RateLimiter({
      store: new RedisStore({ client }),
      prefix: uniquePrefix('down'),
      timeoutMs: TIMEOUT_MS,
      ...options,
    })

  it.each([
    ['allow', true],
    ['deny', false],
  ] as const)(
    "onStoreError '%s' resolves within timeoutMs, reports the failure, rejects nothing",
    async (policy, allowed) => {
      const onError = vi.fn()
      const limiter = limiterWith({ onStoreError: policy, onError })
      for (let request = 0; request < 5; request++) {
        const { value, elapsedMs } = await timed(() => limiter.consume('client'))
        expect(value).toMatchObject({ allowed, degraded: true })
        expect(elapsedMs).toBeLessThan(TIMEOUT_MS + MARGIN_MS)
      }
      expect(onError).toHaveBeenCalledTimes(5)
      expect(onError.mock.calls[0]?.[1]).toBe('client')
      await sleep(500) // let the client give up on the queued commands
      expect(unhandled).toEqual([])
    },
  )

  it("onStoreError 'deny' tells the client to retry after a second", async () => {
    const result = await limiterWith({ onStoreError: 'deny', onError: () => {} }).consume('client')
    expect(result).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 1_000 })
  })

  it("onStoreError 'fallback' limits on a per-process memory store", async () => {
    const limiter = limiterWith({
      onStoreError: 'fallback',
      onError: () => {},
      policy: fixedWindow({ limit: 3, windowMs: 86_400_000 }),
    })
    const results = []
    for (let request = 0; request < 5; request++) results.push(await limiter.consume('client'))
    expect(results.map((result) => [result.allowed, result.degraded])).toEqual([
      [true, true],
      [true, true],
      [true, true],
      [false, true],
      [false, true],
    ])
  })
})

describe('stores that misbehave', () => {
  const decision = {
    nowMs: 0,
    outcomes: [{ allowed: true, remaining: 99, resetAfterMs: 1, retryAfterMs: 0, nextQuotaMs: 1 }],
  }
  const storeWith = (decide: Store['decide']): Store => ({ decide, refund: async () => {}, reset: async () => {} })

  it('times out a store that never answers, with a StoreTimeoutError', async () => {
    const onError = vi.fn()
    const never = storeWith(() => new Promise(() => {}))
    const { value, elapsedMs } = await timed(() =>
      new RateLimiter({ store: never, timeoutMs: 50, onError }).consume('k'),
    )
    expect(value).toMatchObject({ allowed: true, degraded: true })
    expect(elapsedMs).toBeLessThan(50 + MARGIN_MS)
    expect(onError.mock.calls[0]?.[0]).toBeInstanceOf(StoreTimeoutError)
  })

  it('absorbs a rejection that arrives after the deadline', async () => {
    const late = storeWith(() => sleep(80).then(() => Promise.reject(new Error('too late'))))
    await new RateLimiter({ store: late, timeoutMs: 20, onError: () => {} }).consume('k')
    await sleep(120)
    expect(unhandled).toEqual([])
  })

  it('survives a store that throws synchronously, and an onError that throws', async () => {
    const throwing = storeWith(() => {
      throw new Error('sync')
    })
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
    const onError = () => {
      throw new Error('callback bug')
    }
    expect(await new RateLimiter({ store: throwing, onError }).consume('k')).toMatchObject({ degraded: true })
    expect(consoleError).toHaveBeenCalledTimes(1)
    expect(consoleError).toHaveBeenCalledWith(
      'atomic-ratelimit: the onError callback threw',
      expect.objectContaining({ message: 'callback bug' }),
    )
    consoleError.mockRestore()
  })

  it('logs failures to the console when no onError is given, at most once per 10 s', async () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
    const failing = storeWith(() => Promise.reject(new Error('down')))
    const limiter = new RateLimiter({ store: failing })
    for (let request = 0; request < 5; request++) await limiter.consume('k')
    expect(consoleError).toHaveBeenCalledTimes(1)
    consoleError.mockRestore()
  })

  it('uses the answer of a store that answers in time', async () => {
    const healthy = storeWith(async () => decision)
    expect(await new RateLimiter({ store: healthy }).consume('k')).toMatchObject({ remaining: 99, degraded: false })
  })

  it('rejects reset, after reporting it, when the store fails', async () => {
    const onError = vi.fn()
    const store: Store = {
      decide: async () => decision,
      refund: async () => {},
      reset: () => Promise.reject(new Error('down')),
    }
    await expect(new RateLimiter({ store, onError }).reset('k')).rejects.toThrow('down')
    expect(onError).toHaveBeenCalledTimes(1)
  })
})

describe('deciding without the store', () => {
  const down: Store = {
    decide: () => Promise.reject(new Error('down')),
    refund: () => Promise.reject(new Error('down')),
    reset: async () => {},
  }
  const limiterOn = (store: Store, options: RateLimiterOptions) =>
    new RateLimiter({ store, onError: () => {}, policy: fixedWindow({ limit: 3, windowMs: 400 }), ...options })

  it("onStoreError 'deny' asks for no longer than the window, 'allow' leaves the whole limit", async () => {
    expect(await limiterOn(down, { onStoreError: 'deny' }).consume('k')).toMatchObject({
      allowed: false,
      remaining: 0,
      retryAfterMs: 400,
      resetAfterMs: 400,
      nextQuotaMs: 400,
    })
    expect(await limiterOn(down, { onStoreError: 'allow' }).consume('k')).toMatchObject({
      allowed: true,
      remaining: 3,
      retryAfterMs: 0,
      resetAfterMs: 0,
    })
  })

  it('reset forgets what the fallback store counted, as well as what the store did', async () => {
    const limiter = limiterOn(down, { onStoreError: 'fallback' })
    for (let request = 0; request < 3; request++) await limiter.consume('k')
    expect((await limiter.consume('k')).allowed).toBe(false)
    await limiter.reset('k')
    expect(await limiter.consume('k')).toMatchObject({ allowed: true, degraded: true, remaining: 2 })
  })

  it('gives a refund back to the fallback store that charged it, even while the breaker is open', async () => {
    const onError = vi.fn()
    const limiter = limiterOn(down, {
      onStoreError: 'fallback',
      onError,
      circuitBreaker: { failureThreshold: 1, cooldownMs: 60_000 },
    })
    const charged = await limiter.consume('k')
    expect(limiter.circuitState).toBe('open')
    for (let request = 0; request < 2; request++) await limiter.consume('k')
    expect((await limiter.consume('k')).allowed).toBe(false)
    const failuresSoFar = onError.mock.calls.length
    await limiter.refund(charged)
    expect(onError).toHaveBeenCalledTimes(failuresSoFar)
    expect(await limiter.consume('k')).toMatchObject({ allowed: true, degraded: true, remaining: 0 })
  })

  it('asks the store on every decision without a circuit breaker, whatever it failed with', async () => {
    const failures = [
      new Error('ECONNREFUSED'),
      new Error('ERR Error running script (call to f_0123): @user_script:1: boom'),
      new StoreUnavailableError('the Redis client is reconnecting or closed'),
    ]
    let calls = 0
    const failing: Store = {
      decide: () => Promise.reject(failures[calls++ % failures.length]),
      refund: async () => {},
      reset: async () => {},
    }
    const onError = vi.fn()
    const limiter = limiterOn(failing, { circuitBreaker: false, onStoreError: 'deny', onError })
    for (let request = 0; request < 9; request++)
      expect(await limiter.consume('k')).toMatchObject({ allowed: false, degraded: true })
    expect(calls).toBe(9)
    expect(onError.mock.calls.map(([error]) => error)).toEqual([...failures, ...failures, ...failures])
    expect(limiter.circuitState).toBe('closed')
  })

  it('gives a refund back to the store when the limiter has no circuit breaker', async () => {
    const refunds = vi.fn(async () => {})
    const outcome = { allowed: true, remaining: 2, resetAfterMs: 400, retryAfterMs: 0, nextQuotaMs: 400 }
    const store: Store = {
      decide: async (request) => ({ nowMs: request.nowMs ?? Date.now(), outcomes: [outcome] }),
      refund: refunds,
      reset: async () => {},
    }
    const onError = vi.fn()
    const limiter = limiterOn(store, { circuitBreaker: false, onError })
    await limiter.refund(await limiter.consume('k'))
    expect(refunds).toHaveBeenCalledTimes(1)
    expect(onError).not.toHaveBeenCalled()
  })

  it("dates a decision made without the store by the limiter's clock, or by Date.now()", async () => {
    const clocked = await limiterOn(down, { onStoreError: 'deny', clock: () => 1_234_567 }).consume('k')
    expect(clocked).toMatchObject({ degraded: true, decidedAtMs: 1_234_567 })
    const beforeMs = Date.now()
    const unclocked = await limiterOn(down, { onStoreError: 'allow' }).consume('k')
    expect(unclocked.decidedAtMs).toBeGreaterThanOrEqual(beforeMs)
    expect(unclocked.decidedAtMs).toBeLessThanOrEqual(Date.now())
  })

  it('names the failed operation, refund or reset, to the storeError channel', async () => {
    const published = recordChannels()
    const outcome = { allowed: true, remaining: 2, resetAfterMs: 400, retryAfterMs: 0, nextQuotaMs: 400 }
    const decidesOnly: Store = {
      decide: async (request) => ({ nowMs: request.nowMs ?? Date.now(), outcomes: [outcome] }),
      refund: () => Promise.reject(new Error('down')),
      reset: () => Promise.reject(new Error('down')),
    }
    const limiter = limiterOn(decidesOnly, {})
    await limiter.refund(await limiter.consume('k'))
    await expect(limiter.reset('k')).rejects.toThrow('down')
    const operations = published
      .filter(({ channel }) => channel === 'storeError')
      .map(({ message }) => message.operation)
    expect(operations).toEqual(['refund', 'reset'])
  })

  it('drops a refund while the breaker is open, and says so; half-open while its probe is out', async () => {
    let answer: 'now' | 'fail' | 'later' = 'now'
    const refunds = vi.fn(async () => {})
    const outcome = { allowed: true, remaining: 2, resetAfterMs: 400, retryAfterMs: 0, nextQuotaMs: 400 }
    const flaky: Store = {
      decide: async (request) => {
        if (answer === 'fail') throw new Error('down')
        if (answer === 'later') await sleep(50)
        return { nowMs: request.nowMs ?? Date.now(), outcomes: [outcome] }
      },
      refund: refunds,
      reset: async () => {},
    }
    const onError = vi.fn()
    const limiter = limiterOn(flaky, { onError, circuitBreaker: { failureThreshold: 1, cooldownMs: 100 } })
    const charged = await limiter.consume('k')
    answer = 'fail'
    await limiter.consume('k')
    expect(limiter.circuitState).toBe('open')
    await limiter.refund(charged)
    expect(refunds).not.toHaveBeenCalled()
    expect(onError.mock.lastCall?.[0]).toMatchObject({
      message: expect.stringMatching(/breaker is open: the refund was dropped/),
    })
    await sleep(120)
    answer = 'later'
    const probe = limiter.consume('k')
    expect(limiter.circuitState).toBe('half-open')
    expect(await probe).toMatchObject({ degraded: false })
    expect(limiter.circuitState).toBe('closed')
  })
})
