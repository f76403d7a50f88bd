// The hooks on refusals, in every adapter, on the memory store and on Redis: onRefusal on every
// refusal, onLimitReached once per client and window (also under concurrent refusals across two
// limiters sharing a Redis store), onBan when a ban starts; a hook that throws or rejects is logged
// at most once per 10 s and changes nothing in the answer.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { rateLimit as fetchRateLimit } from '../adapters/fetch.js'
import { RateLimiter, type RateLimitResult } from '../src/index.js'
import { CLIENT_IP, harnesses, rateLimitFactories, type TestApp } from './helpers/adapters.js'
import { uniquePrefix } from './helpers/redis.js'
import { createStore } from './helpers/stores.js'

const HOUR = 3_600_000
const stores = { memory: () => undefined, redis: () => createStore('standalone') }

/** Hooks that record what they were called with. */
function recordingHooks(harness: { header(request: unknown, name: string): string | undefined }) {
  const calls = {
    onRefusal: [] as RateLimitResult[],
    onLimitReached: [] as RateLimitResult[],
    onBan: [] as RateLimitResult[],
  }
  const clients: (string | undefined)[] = []
  const record = (name: keyof typeof calls) => (request: unknown, result: RateLimitResult) => {
    clients.push(harness.header(request, 'x-client'))
    calls[name].push(result)
  }
  const hooks = { onRefusal: record('onRefusal'), onLimitReached: record('onLimitReached'), onBan: record('onBan') }
  return { calls, clients, hooks }
}

describe.each(Object.entries(stores))('the hooks, %s store', (_storeName, makeStore) => {
  const store = makeStore()

  describe.each(harnesses)('in the $name adapter', (harness) => {
    let app: TestApp | undefined
    afterEach(async () => {
      await app?.close()
      app = undefined
    })

    it('call onRefusal on every refusal, onLimitReached on the first, onBan when the ban starts', async () => {
      const { calls, clients, hooks } = recordingHooks(harness)
      const prefix = uniquePrefix(`hooks-${harness.name.replace(' ', '')}`)
      const options = { limit: 2, windowMs: HOUR, ban: { afterRefusals: 3 }, prefix, ...hooks, ...(store && { store }) }
      app = await harness.build([{ path: '/a', options }])
      const statuses: number[] = []
      for (let request = 0; request < 8; request++) statuses.push((await app.get('/a/ok', { 'x-client': 'c1' })).status)
      expect(statuses).toEqual([200, 200, 429, 429, 403, 403, 403, 403])
      expect(calls.onRefusal.map((result) => [result.refusals, result.banned])).toEqual([
        [1, false],
        [2, false],
        [3, true],
        [0, true],
        [0, true],
        [0, true],
      ])
      expect(calls.onLimitReached).toEqual([calls.onRefusal[0]])
      expect(calls.onBan).toEqual([calls.onRefusal[2]])
      // Each got the framework's own request object.
      expect(new Set(clients)).toEqual(new Set(['c1']))
    })

    it('count refusals for onLimitReached when they build the limiter: once per client, again after an allowed request', async () => {
      const { calls, hooks } = recordingHooks(harness)
      const prefix = uniquePrefix(`limit-reached-${harness.name.replace(' ', '')}`)
      const keyGenerator = (request: unknown) => harness.header(request, 'x-client') ?? 'none'
      const options = {
        limit: 1,
        windowMs: HOUR,
        prefix,
        keyGenerator,
        onLimitReached: hooks.onLimitReached,
        ...(store && { store }),
      }
      app = await harness.build([{ path: '/a', options }])
      for (const client of ['c1', 'c1', 'c1', 'c2', 'c2', 'c1']) await app.get('/a/ok', { 'x-client': client })
      expect(calls.onLimitReached.map((result) => result.refusals)).toEqual([1, 1])
    })
  })
})

describe.each(harnesses)('onLimitReached under concurrent refusals, two limiters on one Redis ($name)', (harness) => {
  it('is called exactly once for 40 concurrent requests over a limit of 5', async () => {
    const prefix = uniquePrefix(`concurrent-${harness.name.replace(' ', '')}`)
    let limitReached = 0
    let refusals = 0
    const options = {
      limit: 5,
      windowMs: HOUR,
      prefix,
      onLimitReached: () => limitReached++,
      onRefusal: () => refusals++,
    }
    // Two app instances, each with its own RedisStore and connection, sharing the quota.
    const apps = [
      await harness.build([{ path: '/a', options: { ...options, store: createStore('standalone') } }]),
      await harness.build([{ path: '/a', options: { ...options, store: createStore('standalone') } }]),
    ]
    try {
      const replies = await Promise.all(Array.from({ length: 40 }, (_, index) => apps[index % 2]?.get('/a/ok')))
      expect(replies.filter((reply) => reply?.status === 200)).toHaveLength(5)
      expect([limitReached, refusals]).toEqual([1, 35])
    } finally {
      await Promise.all(apps.map((app) => app.close()))
    }
  })
})

describe('onLimitReached once per window', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it.each(harnesses)('is called again in the next window ($name)', async (harness) => {
    const start = Math.ceil(Date.now() / HOUR) * HOUR
    vi.useFakeTimers({ toFake: ['Date'], now: start })
    const reached: number[] = []
    const options = { limit: 1, windowMs: 60_000, onLimitReached: () => reached.push(Date.now() - start) }
    const app = await harness.build([{ path: '/a', options }])
    try {
      for (const atMs of [0, 1_000, 2_000, 60_000, 61_000, 62_000]) {
        vi.setSystemTime(start + atMs)
        await app.get('/a/ok')
      }
      expect(reached).toEqual([1_000, 61_000])
    } finally {
      await app.close()
    }
  })
})

describe('a hook that fails', () => {
  let errors: unknown[][]
  beforeEach(() => {
    errors = []
    vi.spyOn(console, 'error').mockImplementation((...line: unknown[]) => {
      errors.push(line)
    })
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
  })

  it.each(harnesses)('changes nothing in the answer and is logged at most once per 10 s ($name)', async (harness) => {
    const start = Math.ceil(Date.now() / HOUR) * HOUR
    vi.useFakeTimers({ toFake: ['Date'], now: start })
    const options = {
      limit: 1,
      windowMs: HOUR,
      onRefusal: () => {
        throw new Error('sync failure')
      },
      onLimitReached: async () => {
        throw new Error('async failure')
      },
    }
    const app = await harness.build([{ path: '/a', options }])
    try {
      await app.get('/a/ok')
      for (let request = 0; request < 3; request++) {
        const refused = await app.get('/a/ok')
        expect(refused.status).toBe(429)
        expect(JSON.parse(refused.text).title).toBe('Quota Exceeded')
      }
      await vi.waitFor(() => expect(errors).toHaveLength(2))
      expect(errors.map((line) => [line[0], (line[1] as Error).message]).sort()).toEqual([
        ['atomic-ratelimit: the onLimitReached hook failed:', 'async failure'],
        ['atomic-ratelimit: the onRefusal hook failed:', 'sync failure'],
      ])
      vi.setSystemTime(start + 10_000)
      await app.get('/a/ok')
      expect(errors.at(-1)?.[0]).toBe(
        'atomic-ratelimit: the onRefusal hook failed (2 more failures since the last report):',
      )
    } finally {
      await app.close()
    }
  })

  it.each(harnesses)('is not waited for: a hook that never settles delays no answer ($name)', async (harness) => {
    const options = { limit: 1, windowMs: HOUR, onRefusal: () => new Promise(() => {}) }
    const app = await harness.build([{ path: '/a', options }])
    try {
      await app.get('/a/ok')
      expect((await app.get('/a/ok')).status).toBe(429)
    } finally {
      await app.close()
    }
  })
})

describe('hooks that a limiter cannot serve', () => {
  const factories = rateLimitFactories

  it.each(Object.entries(factories))(
    'throw at setup in %s: onLimitReached with a limiter that counts no refusals',
    (_name, factory) => {
      const limiter = new RateLimiter()
      expect(() => factory({ limiter, onLimitReached: () => {} })).toThrow(
        'Expected the `limiter` to count refusals for `onLimitReached`: create it with `countRefusals: true`',
      )
      expect(() =>
        factory({ limiter: new RateLimiter({ countRefusals: true }), onLimitReached: () => {} }),
      ).not.toThrow()
      expect(() => factory({ limit: 1, onBan: () => {} })).toThrow('Expected `ban` with `onBan`')
      expect(() => factory({ onLimitReached: () => {}, countRefusals: false })).toThrow('`countRefusals`')
      expect(() => factory({ onRefusal: 'log' })).toThrow('Expected `onRefusal` to be a function, got "log"')
    },
  )

  it('counts refusals in the limiter an adapter builds for onLimitReached', async () => {
    // The Fetch guard's decision shows the count the limiter kept.
    const limit = fetchRateLimit({ limit: 1, onLimitReached: () => {} })
    for (let request = 0; request < 3; request++) await limit(new Request('http://app.test/'), { ip: CLIENT_IP })
    const request = new Request('http://app.test/')
    await limit(request, { ip: CLIENT_IP })
    expect(limit.resultOf(request)?.refusals).toBe(3)
  })
})
