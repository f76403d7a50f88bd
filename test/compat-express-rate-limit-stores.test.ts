// The express-rate-limit entry's `store`: our stores decide natively (atomic on Redis, refusals never
// charged), a store of express-rate-limit's interface counts as express-rate-limit has it count (the
// hit, then the comparison), legacy callback stores too; store failures, passOnStoreError, and the
// middleware's getKey and resetKey.
import { RedisStore as RateLimitRedisStore } from 'rate-limit-redis'
import { describe, expect, it } from 'vitest'
import {
  type ClientRateLimitInfo,
  type LegacyStore,
  MemoryStore,
  rateLimit,
  type Store,
} from '../compat/express-rate-limit.js'
import { HitCounterStore, RateLimitOptionsError, RedisStore } from '../src/index.js'
import { inARow, recordingLogger, serveExpress } from './helpers/express-apps.js'
import { connectCluster, connectStandalone, uniquePrefix } from './helpers/redis.js'

const statuses = (responses: { statusCode: number }[]) => responses.map((response) => response.statusCode)
const byClient = () => 'client'

/** A store of express-rate-limit's interface that records the calls it gets. */
class RecordingStore implements Store {
  readonly calls: string[] = []
  readonly prefix = 'recording:'
  hits = 0
  init(options: { windowMs: number; limit: unknown }): void {
    this.calls.push(`init ${options.windowMs} ${options.limit}`)
  }
  async get(key: string): Promise<ClientRateLimitInfo> {
    this.calls.push(`get ${key}`)
    return { totalHits: this.hits, resetTime: new Date(Date.now() + 10_000) }
  }
  async increment(key: string): Promise<ClientRateLimitInfo> {
    this.calls.push(`increment ${key}`)
    this.hits++
    return { totalHits: this.hits, resetTime: new Date(Date.now() + 10_000) }
  }
  async decrement(key: string): Promise<void> {
    this.calls.push(`decrement ${key}`)
    this.hits--
  }
  async resetKey(key: string): Promise<void> {
    this.calls.push(`resetKey ${key}`)
    this.hits = 0
  }
}

/** express-rate-limit 5's store interface: `incr` answers through a callback, and there is no `get`. */
class CallbackStore implements LegacyStore {
  hits = 0
  incr(_key: string, callback: (error: Error | undefined, totalHits: number, resetTime: Date | undefined) => void) {
    this.hits++
    callback(undefined, this.hits, undefined)
  }
  decrement() {
    this.hits--
  }
  resetKey() {
    this.hits = 0
  }
}

class FailingStore implements Store {
  async increment(): Promise<ClientRateLimitInfo> {
    throw new Error('the store is down')
  }
  async decrement() {}
  async resetKey() {}
}

describe.each(['standalone', 'cluster'] as const)('our RedisStore, on Redis %s', (deployment) => {
  const client = deployment === 'standalone' ? connectStandalone() : connectCluster()

  it('lets exactly `limit` of 60 concurrent requests through, and charges no refusal', async () => {
    const limiter = rateLimit({
      limit: 10,
      identifier: uniquePrefix('exact'),
      keyGenerator: byClient,
      store: new RedisStore({ client }),
    })
    const get = await serveExpress(limiter)
    const responses = await Promise.all(Array.from({ length: 60 }, () => get('/')))
    expect(statuses(responses).filter((status) => status === 200)).toHaveLength(10)
    expect(statuses(responses).filter((status) => status === 429)).toHaveLength(50)
    // Refused requests were counted as refusals, not as hits: the client's window holds 10.
    expect(await limiter.getKey('client')).toMatchObject({ totalHits: 10 })
  })
})

describe('a store of express-rate-limit’s interface', () => {
  it('counts every hit, refused ones too, and compares the count with the limit', async () => {
    const store = new RecordingStore()
    const get = await serveExpress(rateLimit({ limit: 2, keyGenerator: byClient, store }))
    const responses = await inARow(get, 4)
    expect(statuses(responses)).toEqual([200, 200, 429, 429])
    expect(responses.map((response) => response.headers['x-ratelimit-remaining'])).toEqual(['1', '0', '0', '0'])
    expect(store.calls).toEqual(['init 60000 2', ...Array(4).fill('increment client')])
    expect(store.hits).toBe(4)
  })

  it('is initialised with the resolved options when the middleware is made', () => {
    const store = new RecordingStore()
    rateLimit({ windowMs: 30_000, store })
    expect(store.calls).toEqual(['init 30000 5'])
  })

  it('gives a hit back with decrement for skipSuccessfulRequests, and a refused one for skipFailedRequests', async () => {
    const succeeded = new RecordingStore()
    await inARow(
      await serveExpress(rateLimit({ keyGenerator: byClient, store: succeeded, skipSuccessfulRequests: true })),
      2,
    )
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(succeeded.calls.filter((call) => call.startsWith('decrement'))).toHaveLength(2)
    const failed = new RecordingStore()
    const get = await serveExpress(
      rateLimit({ limit: 1, keyGenerator: byClient, store: failed, skipFailedRequests: true }),
    )
    expect(statuses(await inARow(get, 3))).toEqual([200, 429, 429])
    expect(failed.hits).toBe(1)
  })

  it('sends the store’s reset time in the headers', async () => {
    const get = await serveExpress(rateLimit({ store: new RecordingStore(), standardHeaders: 'draft-7' }))
    expect((await get('/')).headers.ratelimit).toBe('limit=5, remaining=4, reset=10')
  })

  it('takes a legacy store whose incr answers through a callback', async () => {
    const store = new CallbackStore()
    const get = await serveExpress(rateLimit({ limit: 2, store, validate: false }))
    expect(statuses(await inARow(get, 3))).toEqual([200, 200, 429])
    expect(store.hits).toBe(3)
  })

  it('takes rate-limit-redis on Redis: count, then compare', async () => {
    const client = connectStandalone()
    const store = new RateLimitRedisStore({
      sendCommand: (command: string, ...args: string[]) => client.call(command, ...args) as never,
      prefix: `${uniquePrefix('rlr')}:`,
    })
    const get = await serveExpress(rateLimit({ limit: 3, windowMs: 10_000, keyGenerator: byClient, store }))
    const responses = await inARow(get, 5)
    expect(statuses(responses)).toEqual([200, 200, 200, 429, 429])
    expect(responses.slice(0, 3).map((response) => JSON.parse(response.body).used)).toEqual([1, 2, 3])
    expect(Number(responses[4]?.headers['retry-after'])).toBeLessThanOrEqual(10)
  })

  it('takes our HitCounterStore', async () => {
    const store = new HitCounterStore({
      store: new RedisStore({ client: connectStandalone() }),
      prefix: uniquePrefix('hits'),
    })
    const get = await serveExpress(rateLimit({ limit: 2, keyGenerator: byClient, store }))
    expect(statuses(await inARow(get, 3))).toEqual([200, 200, 429])
    expect(await store.get('client')).toMatchObject({ totalHits: 3 })
  })

  it('is refused at setup when it lacks a method of the interface', () => {
    const incomplete = { increment: async () => ({ totalHits: 1, resetTime: undefined }) }
    expect(() => rateLimit({ store: incomplete as unknown as Store })).toThrow(RateLimitOptionsError)
    expect(() => rateLimit({ store: incomplete as unknown as Store })).toThrow(/`store`/)
  })
})

describe('store failures', () => {
  it('pass the store’s error to Express by default', async () => {
    const response = await (await serveExpress(rateLimit({ store: new FailingStore() })))('/')
    expect(response.statusCode).toBe(500)
    expect(response.body).toBe('error: the store is down')
  })

  it('let requests through with passOnStoreError, logging the error', async () => {
    const { logger, errors } = recordingLogger()
    const get = await serveExpress(rateLimit({ limit: 1, store: new FailingStore(), passOnStoreError: true, logger }))
    expect(statuses(await inARow(get, 3))).toEqual([200, 200, 200])
    expect(errors[0]).toMatch(/^Error: the store is down express-rate-limit: error from store, allowing request/)
  })

  it('log a failed initialisation and keep the middleware', async () => {
    const { logger, errors } = recordingLogger()
    const store = new RecordingStore()
    store.init = () => {
      throw new Error('no connection yet')
    }
    const get = await serveExpress(rateLimit({ store, logger, keyGenerator: byClient }))
    expect((await get('/')).statusCode).toBe(200)
    expect(errors).toEqual(['Error: no connection yet express-rate-limit: error during store initialization.'])
  })
})

describe('getKey and resetKey', () => {
  it('read and forget a client’s hits on our store', async () => {
    const limiter = rateLimit({ limit: 2, keyGenerator: byClient, store: new MemoryStore() })
    const get = await serveExpress(limiter)
    expect(await limiter.getKey('client')).toBeUndefined()
    expect(statuses(await inARow(get, 3))).toEqual([200, 200, 429])
    const hits = await limiter.getKey('client')
    expect(hits?.totalHits).toBe(2)
    expect(hits?.resetTime?.getTime()).toBeGreaterThan(Date.now() + 59_000)
    await limiter.resetKey('client')
    expect(await limiter.getKey('client')).toBeUndefined()
    expect((await get('/')).statusCode).toBe(200)
  })

  it('read a client’s hits under a limit given per request', async () => {
    const limiter = rateLimit({ limit: () => 3, keyGenerator: byClient })
    await inARow(await serveExpress(limiter), 2)
    expect(await limiter.getKey('client')).toMatchObject({ totalHits: 2 })
  })

  it('call the store’s own get and resetKey, at once, on a store of the interface', async () => {
    const store = new RecordingStore()
    const limiter = rateLimit({ store })
    limiter.resetKey('someone')
    expect(store.calls).toContain('resetKey someone')
    expect(await limiter.getKey('someone')).toMatchObject({ totalHits: 0 })
    expect(store.calls).toContain('get someone')
  })

  it('getKey throws when the store has no get', () => {
    const limiter = rateLimit({ store: new CallbackStore(), validate: false })
    expect(() => limiter.getKey('client')).toThrow(/`get`/)
  })
})
