import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  type CircuitState,
  fixedWindow,
  MemoryStore,
  RateLimiter,
  RedisStore,
  type Store,
  StoreUnavailableError,
} from '../src/index.js'
import { connectStandalone, privateRedis, uniquePrefix } from './helpers/redis.js'
import { sleep } from './helpers/redis-server.js'

/** A store that passes calls on to `inner` and counts them. */
function countingStore(inner: Store): Store & { decisions: number } {
  const counting = {
    decisions: 0,
    decide: (request: Parameters<Store['decide']>[0]) => {
      counting.decisions++
      return inner.decide(request)
    },
    refund: (refund: Parameters<Store['refund']>[0]) => inner.refund(refund),
    reset: (target: Parameters<Store['reset']>[0]) => inner.reset(target),
  }
  return counting
}

/** Circuit breaker options that record every state change, in order, in `changes`. */
function recordingBreaker(failureThreshold: number, cooldownMs: number) {
  const changes: CircuitState[] = []
  const onStateChange = (state: CircuitState) => changes.push(state)
  return { changes, circuitBreaker: { failureThreshold, cooldownMs, onStateChange } }
}

describe('the circuit breaker', () => {
  const failing = (): Store & { decisions: number } =>
    countingStore({
      decide: () => Promise.reject(new Error('connection refused')),
      refund: async () => {},
      reset: async () => {},
    })

  it('opens after consecutive failures and skips the store while open', async () => {
    const store = failing()
    const { changes, circuitBreaker } = recordingBreaker(3, 60_000)
    const limiter = new RateLimiter({ store, onError: () => {}, circuitBreaker })
    for (let request = 0; request < 10; request++) expect((await limiter.consume('k')).degraded).toBe(true)
    expect(store.decisions).toBe(3)
    expect(changes).toEqual(['open'])
    expect(limiter.circuitState).toBe('open')
  })

  it('counts only consecutive failures: scattered failures, each followed by an answer, never open it', async () => {
    const inner = new MemoryStore()
    let calls = 0
    const store = countingStore({
      decide: (request) => (calls++ % 2 === 0 ? Promise.reject(new Error('connection reset')) : inner.decide(request)),
      refund: async () => {},
      reset: async () => {},
    })
    const { changes, circuitBreaker } = recordingBreaker(2, 60_000)
    const limiter = new RateLimiter({ store, onError: () => {}, circuitBreaker })
    const degraded = []
    for (let request = 0; request < 12; request++) degraded.push((await limiter.consume('k')).degraded)
    expect(degraded).toEqual(Array.from({ length: 12 }, (_, index) => index % 2 === 0))
    expect(store.decisions).toBe(12)
    expect(changes).toEqual([])
  })

  it('probes once after the cool-down, and closes when the probe succeeds', async () => {
    let healthy = false
    const inner = new RedisStore({ client: connectStandalone() })
    const store = countingStore({
      decide: (request) => (healthy ? inner.decide(request) : Promise.reject(new Error('down'))),
      refund: async () => {},
      reset: async () => {},
    })
    const { changes, circuitBreaker } = recordingBreaker(2, 50)
    const limiter = new RateLimiter({ store, onError: () => {}, circuitBreaker, prefix: uniquePrefix('probe') })
    for (let request = 0; request < 4; request++) await limiter.consume('k')
    await sleep(60)
    await limiter.consume('k') // the probe fails: open again
    healthy = true
    expect((await limiter.consume('k')).degraded).toBe(true)
    await sleep(60)
    expect((await limiter.consume('k')).degraded).toBe(false)
    expect(changes).toEqual(['open', 'half-open', 'open', 'half-open', 'closed'])
    expect(store.decisions).toBe(4)
  })

  it('does not count a script error about one key as a sign of an unhealthy store', async () => {
    const scriptError = new Error('ERR user_script:16: atomic-ratelimit: k does not hold fixed-window state')
    const store: Store = { decide: () => Promise.reject(scriptError), refund: async () => {}, reset: async () => {} }
    const limiter = new RateLimiter({ store, onError: () => {}, circuitBreaker: { failureThreshold: 1 } })
    await limiter.consume('k')
    expect(limiter.circuitState).toBe('closed')
  })

  // A probe must end half-open one way or the other: left there, no call would reach the store again.
  it.each<[string, Error, CircuitState[]]>([
    [
      'a client that knows it is down: open again, and the next probe closes it',
      new StoreUnavailableError('the Redis client is reconnecting or closed'),
      ['open', 'half-open', 'open', 'half-open', 'closed'],
    ],
    [
      'a script error (the store answered): closed',
      new Error('ERR user_script:16: atomic-ratelimit: k does not hold fixed-window state'),
      ['open', 'half-open', 'closed'],
    ],
  ])('settles a probe that fails with %s', async (_label, probeError, expected) => {
    const inner = new RedisStore({ client: connectStandalone() })
    const failures = [new Error('connection refused'), probeError]
    const store: Store = {
      decide: (request) => {
        const failure = failures.shift()
        return failure ? Promise.reject(failure) : inner.decide(request)
      },
      refund: async () => {},
      reset: async () => {},
    }
    const { changes, circuitBreaker } = recordingBreaker(1, 50)
    const limiter = new RateLimiter({ store, onError: () => {}, circuitBreaker, prefix: uniquePrefix('probe') })
    await limiter.consume('k') // opens the circuit
    await sleep(60)
    expect((await limiter.consume('k')).degraded).toBe(true) // the probe meets probeError
    await sleep(60)
    await limiter.consume('k') // a probe again if the last one left it open; the store otherwise
    expect((await limiter.consume('k')).degraded).toBe(false)
    expect(changes).toEqual(expected)
  })
})

describe('with the Redis server down', () => {
  const redis = privateRedis()
  beforeAll(() => redis.server.kill())

  it('answers at once while the client knows it is disconnected: 1,000 decisions in under 100 ms', {
    tags: ['speed'],
  }, async () => {
    // A client that has stopped reconnecting stays disconnected; one that retries is, between its
    // attempts, briefly "connecting", when commands queue until the deadline.
    const gaveUp = new Redis({
      host: '127.0.0.1',
      port: redis.server.port,
      retryStrategy: () => null,
      lazyConnect: true,
    })
    gaveUp.on('error', () => {})
    await gaveUp.connect().catch(() => {})
    const onError = vi.fn()
    const limiter = new RateLimiter({
      store: new RedisStore({ client: gaveUp }),
      onError,
      prefix: uniquePrefix('down'),
    })
    await Promise.all(Array.from({ length: 2_000 }, () => limiter.consume('warm-up'))) // JIT and heap warmed, as in a running app
    onError.mockClear()
    const startedMs = performance.now()
    const results = await Promise.all(Array.from({ length: 1_000 }, (_, index) => limiter.consume(`k${index}`)))
    const elapsedMs = performance.now() - startedMs
    console.info(`client disconnected: 1,000 decisions in ${elapsedMs.toFixed(1)} ms`)
    expect(elapsedMs).toBeLessThan(100) // no deadline waited out: each would take timeoutMs (250 ms)
    expect(results.every((result) => result.degraded && result.allowed)).toBe(true)
    expect(onError).toHaveBeenCalledTimes(1_000)
    expect(onError.mock.calls.every(([error]) => error instanceof StoreUnavailableError)).toBe(true)
    gaveUp.disconnect()
  })

  it('falls back to each instance’s share of the limit: 100 across 4 instances is 25 here', async () => {
    const limiter = new RateLimiter({
      store: new RedisStore({ client: redis.client }),
      policy: fixedWindow({ limit: 100, windowMs: 86_400_000 }),
      onStoreError: 'fallback',
      instances: 4,
      onError: () => {},
    })
    const results = await Promise.all(Array.from({ length: 40 }, () => limiter.consume('k')))
    expect(results.filter((result) => result.allowed)).toHaveLength(25)
    expect(results[0]).toMatchObject({ limit: 25, degraded: true })
  })
})

describe('with the Redis server hung (frozen, its connections open)', () => {
  const redis = privateRedis()
  beforeAll(() => redis.server.freeze(true))
  afterAll(() => redis.server.freeze(false))

  it('opens the breaker after 5 missed deadlines, then answers 1,000 decisions in under 50 ms, and closes once the server is back', {
    tags: ['speed'],
  }, async () => {
    const changes: CircuitState[] = []
    const limiter = new RateLimiter({
      store: new RedisStore({ client: redis.client }),
      prefix: uniquePrefix('hung'),
      timeoutMs: 50,
      onError: () => {},
      circuitBreaker: { cooldownMs: 200, onStateChange: (state) => changes.push(state) },
    })
    for (let request = 0; request < 5; request++) await limiter.consume('k')
    expect(limiter.circuitState).toBe('open')
    await Promise.all(Array.from({ length: 2_000 }, () => limiter.consume('warm-up'))) // JIT and heap warmed, as in a running app
    const startedMs = performance.now()
    const results = await Promise.all(Array.from({ length: 1_000 }, (_, index) => limiter.consume(`k${index}`)))
    const elapsedMs = performance.now() - startedMs
    console.info(`breaker open: 1,000 decisions in ${elapsedMs.toFixed(1)} ms`)
    expect(elapsedMs).toBeLessThan(50)
    expect(results.every((result) => result.degraded)).toBe(true)

    redis.server.freeze(false)
    await sleep(250)
    expect((await limiter.consume('k')).degraded).toBe(false)
    expect(changes).toEqual(['open', 'half-open', 'closed'])
  })
})

describe('limiters with different timeouts on one store, the server hung', () => {
  const redis = privateRedis()
  beforeAll(() => redis.server.freeze(true))
  afterAll(() => redis.server.freeze(false))

  it('each keeps its own timeout when their decisions go in one script call', async () => {
    const store = new RedisStore({ client: redis.client })
    const limiterWithin = (timeoutMs: number) =>
      new RateLimiter({ store, timeoutMs, prefix: uniquePrefix('timeouts'), onError: () => {} })
    const timedDecision = async (limiter: RateLimiter) => {
      const startedMs = performance.now()
      const result = await limiter.consume('one-client') // one key: one slot, one call, on a Cluster too
      return { degraded: result.degraded, elapsedMs: performance.now() - startedMs }
    }
    const [quick, patient] = await Promise.all([timedDecision(limiterWithin(50)), timedDecision(limiterWithin(300))])
    expect(quick.degraded).toBe(true)
    expect(quick.elapsedMs).toBeGreaterThanOrEqual(45)
    expect(quick.elapsedMs).toBeLessThan(50 + 60)
    expect(patient.degraded).toBe(true)
    expect(patient.elapsedMs).toBeGreaterThanOrEqual(295)
    expect(patient.elapsedMs).toBeLessThan(300 + 60)
  })
})

describe('the block cache', () => {
  it('answers 10,000 requests from a denied key with a handful of store calls', async () => {
    const store = countingStore(new RedisStore({ client: connectStandalone() }))
    const limiter = new RateLimiter({
      store,
      policy: fixedWindow({ limit: 5, windowMs: 86_400_000 }),
      prefix: uniquePrefix('block'),
    })
    for (let request = 0; request < 5; request++) await limiter.consume('flooder')
    store.decisions = 0
    let denied = 0
    for (let wave = 0; wave < 1_000; wave++) {
      const results = await Promise.all(Array.from({ length: 10 }, () => limiter.consume('flooder')))
      denied += results.filter((result) => !result.allowed).length
    }
    console.info(`block cache: 10,000 requests from one denied key made ${store.decisions} store calls`)
    expect(denied).toBe(10_000)
    expect(store.decisions).toBeLessThanOrEqual(10)
    expect((await limiter.consume('someone-else')).allowed).toBe(true)
  })

  it('counts the wait down, and lets the key through when its time is up', async () => {
    let nowMs = (Math.floor(Date.now() / 60_000) + 1) * 60_000
    const store = countingStore(new RedisStore({ client: connectStandalone() }))
    const policy = fixedWindow({ limit: 1, windowMs: 60_000 })
    const limiter = new RateLimiter({ store, policy, prefix: uniquePrefix('block'), clock: () => nowMs })
    await limiter.consume('k')
    expect(await limiter.consume('k')).toMatchObject({ allowed: false, retryAfterMs: 60_000 })
    nowMs += 59_999
    expect(await limiter.consume('k')).toMatchObject({ allowed: false, retryAfterMs: 1 })
    expect(store.decisions).toBe(2)
    nowMs += 1
    expect((await limiter.consume('k')).allowed).toBe(true)
    expect(store.decisions).toBe(3)
  })

  it('lets a smaller cost through to the store, and forgets a key on reset', async () => {
    const limiter = new RateLimiter({
      store: new RedisStore({ client: connectStandalone() }),
      policy: fixedWindow({ limit: 5, windowMs: 86_400_000 }),
      prefix: uniquePrefix('block'),
    })
    await limiter.consume('k', { cost: 3 })
    expect((await limiter.consume('k', { cost: 3 })).allowed).toBe(false)
    expect((await limiter.consume('k', { cost: 2 })).allowed).toBe(true)
    await limiter.reset('k')
    expect((await limiter.consume('k', { cost: 5 })).allowed).toBe(true)
  })

  it('forgets a key when a charge of it is refunded: the freed quota is served at once', async () => {
    const store = countingStore(new RedisStore({ client: connectStandalone() }))
    const policy = fixedWindow({ limit: 1, windowMs: 86_400_000 })
    const limiter = new RateLimiter({ store, policy, prefix: uniquePrefix('block') })
    const charged = await limiter.consume('k')
    expect((await limiter.consume('k')).allowed).toBe(false)
    await limiter.refund(charged)
    expect((await limiter.consume('k')).allowed).toBe(true)
    expect(store.decisions).toBe(3)
  })
})
