import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { rateLimit } from '../adapters/fetch.js'
import {
  channelNames,
  fixedWindow,
  MemoryStore,
  RateLimiter,
  RedisStore,
  type Store,
  StoreTimeoutError,
  StoreUnavailableError,
} from '../src/index.js'
import { redisKeys } from '../src/redis-store.js'
import { exposes, on, recordChannels } from './helpers/channels.js'
import { connectStandalone, uniquePrefix } from './helpers/redis.js'
import { sleep } from './helpers/redis-server.js'

const EMAIL = 'alice@example.com'
const client = connectStandalone()
const redisStore = new RedisStore({ client })
const MINUTE = 60_000

/** A store that fails every call with `error` until `healthy` is set, then decides on a MemoryStore. */
function flakyStore(error: unknown): Store & { healthy: boolean } {
  const inner = new MemoryStore()
  const store = {
    healthy: false,
    decide: (request: Parameters<Store['decide']>[0]) =>
      store.healthy ? inner.decide(request) : Promise.reject(error),
    refund: () => Promise.reject(error),
    reset: () => Promise.reject(error),
  }
  return store
}

describe('the decision channel', () => {
  it('publishes every consume and peek, with the client key only as the pk of the draft-8 header', async () => {
    const published = recordChannels()
    const limiter = new RateLimiter({ policy: fixedWindow({ limit: 1, windowMs: MINUTE, name: 'tight' }), prefix: 'p' })
    const guard = rateLimit({ limiter, keyGenerator: () => EMAIL })
    const request = new Request('http://app.test/')
    const startedMs = performance.now()
    await guard(request)
    const tookMs = performance.now() - startedMs
    await limiter.peek(EMAIL, { cost: 2 })
    const pk = /;pk=:([^:]+):/.exec(guard.headersOf(request).get('RateLimit') ?? '')?.[1]
    const [consumed, peeked] = on(published, 'decision')
    expect(consumed).toMatchObject({
      prefix: 'p',
      partitionKey: pk,
      operation: 'consume',
      cost: 1,
      policies: ['tight'],
      policy: 'tight',
      allowed: true,
      degraded: false,
      banned: false,
      decidedBy: 'memory',
      result: { allowed: true, remaining: 0 },
    })
    expect(consumed.storeMs).toBeGreaterThanOrEqual(0)
    expect(consumed.storeMs).toBeLessThanOrEqual(tookMs)
    expect(peeked).toMatchObject({ partitionKey: pk, operation: 'peek', cost: 2, allowed: false })
    expect(on(published, 'decision')).toHaveLength(2)
  })

  it.each([
    ['the memory store', () => ({}), 'memory'],
    ['Redis', () => ({ store: redisStore }), 'redis'],
    ['a store of its own', () => ({ store: Object.assign(flakyStore(null), { healthy: true }) }), 'custom'],
    ['the fallback store', () => ({ store: flakyStore(new Error('down')), onStoreError: 'fallback' }), 'fallback'],
    ['the failure policy', () => ({ store: flakyStore(new Error('down')), onStoreError: 'deny' }), 'failure-policy'],
  ] as const)('names %s as what decided', async (_label, options, source) => {
    const published = recordChannels()
    const limiter = new RateLimiter({ ...options(), prefix: uniquePrefix('source'), onError: () => {} })
    await limiter.consume(EMAIL)
    expect(on(published, 'decision').map((message) => message.decidedBy)).toEqual([source])
  })
})

describe('the store TracingChannel', () => {
  it('traces each Redis decision as one context on start, end, asyncStart and asyncEnd, with the batch it shared', async () => {
    const limiter = new RateLimiter({ store: redisStore, prefix: uniquePrefix('trace') })
    await limiter.consume('lone') // a call of one before: the store's next lone decision goes at once
    const published = recordChannels()
    await Promise.all(['a', 'b', 'c'].map((key) => limiter.consume(key)))
    await limiter.consume('alone')
    const events = published.filter(({ channel }) => channel.startsWith('store:'))
    expect(events.map(({ channel }) => channel)).toEqual(
      [
        ...['start', 'end', 'start', 'end', 'start', 'end'],
        ...['asyncStart', 'asyncEnd', 'asyncStart', 'asyncEnd', 'asyncStart', 'asyncEnd'],
        ...['start', 'end', 'asyncStart', 'asyncEnd'],
      ].map((event) => `store:${event}`),
    )
    const contexts = [...new Set(on(published, 'store:start'))]
    expect(contexts).toHaveLength(4)
    // The first found no call in flight and went at once; the two made after it in its turn shared one,
    // which the last, alone in a later turn, waited for the end of its turn to follow.
    expect(contexts.map((context) => context.result.batchSize)).toEqual([1, 2, 2, 1])
    expect(contexts[0]).toMatchObject({ operation: 'consume', store: 'redis', cost: 1, policies: ['100-per-60s'] })
    expect(contexts[0].result.outcomes).toEqual([expect.objectContaining({ allowed: true, remaining: 99 })])
  })

  it('traces refunds and resets on Redis, and no call to a memory store', async () => {
    const published = recordChannels()
    for (const store of [new MemoryStore(), redisStore]) {
      const limiter = new RateLimiter({ store, prefix: uniquePrefix('calls') })
      await limiter.refund(await limiter.consume('k'))
      await limiter.reset('k')
    }
    expect(on(published, 'store:asyncEnd').map(({ operation, cost }) => [operation, cost])).toEqual([
      ['consume', 1],
      ['refund', 1],
      ['reset', 0],
    ])
  })

  it('publishes a missed deadline on the error channel, as a StoreTimeoutError', async () => {
    const published = recordChannels()
    const silent: Store = { decide: () => new Promise(() => {}), refund: async () => {}, reset: async () => {} }
    const limiter = new RateLimiter({ store: silent, timeoutMs: 20, onError: () => {} })
    expect(await limiter.consume('k')).toMatchObject({ allowed: true, degraded: true })
    const [failed] = on(published, 'store:error')
    expect(failed.error).toBeInstanceOf(StoreTimeoutError)
    expect(failed).toMatchObject({ errorType: 'timeout', store: 'custom' })
    expect(on(published, 'store:asyncEnd')).toEqual([failed])
  })

  it('traces a store call that throws before it returns a promise: start, error, end, and nothing async', async () => {
    const published = recordChannels()
    const throwing: Store = {
      decide: () => {
        throw new Error(`no store for ${EMAIL}`)
      },
      refund: async () => {},
      reset: async () => {},
    }
    expect(await new RateLimiter({ store: throwing, onError: () => {} }).consume(EMAIL)).toMatchObject({
      degraded: true,
    })
    const events = published.filter(({ channel }) => channel.startsWith('store:'))
    expect(events.map(({ channel }) => channel)).toEqual(['store:start', 'store:error', 'store:end'])
    const [context] = on(published, 'store:end')
    expect(context.error.message).toBe(`no store for :${context.partitionKey}:`)
  })

  it.each(['start', 'end', 'asyncStart', 'asyncEnd', 'error'])('traces for a subscriber of %s alone', async (event) => {
    const name = `tracing:${channelNames.store}:${event}`
    const heard = vi.fn()
    subscribe(name, heard)
    onTestFinished(() => {
      unsubscribe(name, heard)
    })
    await new RateLimiter({ store: flakyStore(new Error('down')), onError: () => {} }).consume('k')
    expect(heard).toHaveBeenCalledTimes(1)
  })
})

describe('the store-error channel', () => {
  it('publishes every failure onError is told of, with its kind, and the client key taken out of its error', async () => {
    const published = recordChannels()
    const prefix = uniquePrefix('foreign')
    const policy = fixedWindow({ limit: 3, windowMs: MINUTE })
    const [redisKey] = redisKeys({ prefix, key: EMAIL, policies: [policy] }) as [string]
    await client.set(redisKey, 'not a state', 'PX', MINUTE)
    const onError = vi.fn()
    const limiter = new RateLimiter({ store: redisStore, policy, prefix, onError })
    await limiter.consume(EMAIL)
    const [told] = onError.mock.calls[0] as [Error & { command: unknown }, string]
    expect(told.message).toContain(`{${EMAIL}}`)
    expect(told.command).toBeDefined() // ioredis attaches the command sent, keys included
    const [message] = on(published, 'storeError')
    expect(message).toMatchObject({ prefix, operation: 'consume', errorType: 'script' })
    expect(message.error.message).toBe(told.message.replaceAll(EMAIL, `:${message.partitionKey}:`))
    expect(message.error.stack).toContain(`{:${message.partitionKey}:}`)
    expect(exposes(message, EMAIL)).toBe(false)
    expect(on(published, 'store:error')[0].error.message).toBe(message.error.message)
  })

  it('tells failures apart: timeout, unavailable, a code, a name', async () => {
    const kinds = [
      new StoreTimeoutError(10),
      new StoreUnavailableError('down'),
      Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
      new RangeError('odd'),
      'a string',
    ]
    const published = recordChannels()
    for (const error of kinds) await new RateLimiter({ store: flakyStore(error), onError: () => {} }).consume('k')
    expect(on(published, 'storeError').map(({ errorType }) => errorType)).toEqual([
      'timeout',
      'unavailable',
      'ECONNREFUSED',
      'RangeError',
      '_OTHER',
    ])
    expect(on(published, 'storeError')[0].error).toBe(kinds[0]) // ours name no key: passed as they are
  })

  it('copies a foreign failure as its name, string code, message and stack, each without the client key, and nothing else', async () => {
    const named = Object.assign(new Error(`no quota for ${EMAIL}`), {
      name: `QuotaError(${EMAIL})`,
      code: `E_${EMAIL}`,
      command: ['GET', EMAIL],
    })
    const stackless = Object.assign(new Error(`lost ${EMAIL}`), { stack: undefined })
    const unprintable = {
      toString() {
        throw new Error('no text')
      },
    }
    const published = recordChannels()
    for (const error of [named, stackless, unprintable])
      await new RateLimiter({ store: flakyStore(error), onError: () => {} }).consume(EMAIL)
    const [ofNamed, ofStackless, ofUnprintable] = on(published, 'storeError')
    const stand = `:${ofNamed.partitionKey}:`
    expect(ofNamed.errorType).toBe(`E_${stand}`)
    expect({ ...ofNamed.error }).toEqual({ name: `QuotaError(${stand})`, code: `E_${stand}` })
    expect(ofNamed.error.message).toBe(`no quota for ${stand}`)
    expect(ofNamed.error.stack).toBe(named.stack?.replaceAll(EMAIL, stand))
    expect(ofStackless.error.stack).toBe(`Error: lost ${stand}`)
    expect(ofUnprintable.error).toMatchObject({ name: 'Error', message: 'object' })
    expect(ofUnprintable.errorType).toBe('_OTHER')
  })
})

describe('the breaker channel', () => {
  it('publishes each change of state with the state before it', async () => {
    const published = recordChannels()
    const store = flakyStore(new Error('connection refused'))
    const circuitBreaker = { failureThreshold: 1, cooldownMs: 20 }
    const limiter = new RateLimiter({ store, circuitBreaker, prefix: 'api', onError: () => {} })
    await limiter.consume('k')
    await sleep(30)
    store.healthy = true
    await limiter.consume('k')
    expect(on(published, 'breaker')).toEqual([
      { prefix: 'api', domain: '', state: 'open', previousState: 'closed' },
      { prefix: 'api', domain: '', state: 'half-open', previousState: 'open' },
      { prefix: 'api', domain: '', state: 'closed', previousState: 'half-open' },
    ])
  })
})

describe('the block-cache channel', () => {
  it('publishes each denial served with no store call, also as a decision of the block cache', async () => {
    const prefix = uniquePrefix('blocked')
    const limiter = new RateLimiter({ store: redisStore, policy: fixedWindow({ limit: 1, windowMs: MINUTE }), prefix })
    await limiter.consume(EMAIL)
    await limiter.consume(EMAIL) // denied by Redis: the block cache learns
    const published = recordChannels()
    const served = await limiter.consume(EMAIL, { cost: 2 })
    const [hit] = on(published, 'blockCache')
    expect(hit).toMatchObject({ prefix, operation: 'consume', cost: 2, policy: '1-per-60s', result: served })
    expect(on(published, 'decision')).toEqual([
      expect.objectContaining({ decidedBy: 'block-cache', storeMs: 0, allowed: false, partitionKey: hit.partitionKey }),
    ])
    expect(on(published, 'store:start')).toEqual([])
  })
})

it('never publishes the client key: an email address appears in no message of any channel', async () => {
  const published = recordChannels()
  const leaky = Object.assign(new Error(`no answer for ${EMAIL}`), { key: EMAIL, command: { args: [EMAIL] } })
  const prefix = uniquePrefix('email')
  const policy = fixedWindow({ limit: 1, windowMs: MINUTE })
  await client.set(
    redisKeys({ prefix: `${prefix}-bad`, key: EMAIL, policies: [policy] })[0] as string,
    'x',
    'PX',
    MINUTE,
  )
  const onError = vi.fn()
  const circuitBreaker = { failureThreshold: 1, cooldownMs: 10 }
  const limiters = [
    new RateLimiter({ policy, prefix }),
    new RateLimiter({ store: redisStore, policy, prefix }),
    new RateLimiter({ store: redisStore, policy, prefix: `${prefix}-bad`, onError }),
    new RateLimiter({ store: flakyStore(leaky), policy, prefix, circuitBreaker, onError }),
  ]
  for (const limiter of limiters) {
    await limiter.refund(await limiter.consume(EMAIL))
    for (let attempt = 0; attempt < 3; attempt++) await limiter.consume(EMAIL)
    await limiter.peek(EMAIL)
    await limiter.reset(EMAIL).catch(() => {})
  }
  expect(new Set(published.map(({ channel }) => channel))).toEqual(
    new Set([
      'decision',
      'blockCache',
      'storeError',
      'breaker',
      ...['start', 'end', 'asyncStart', 'asyncEnd', 'error'].map((event) => `store:${event}`),
    ]),
  )
  expect(onError.mock.calls.filter(([error]) => exposes(error, EMAIL)).length).toBeGreaterThan(2)
  for (const { channel, message } of published) expect(exposes(message, EMAIL), channel).toBe(false)
})
