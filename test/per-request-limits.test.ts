import express from 'express'
import { describe, expect, it } from 'vitest'
import { rateLimit } from '../adapters/express.js'
import { rateLimit as fetchRateLimit } from '../adapters/fetch.js'
import { RateLimiter, RedisStore, type Store, tokenBucket } from '../src/index.js'
import { algorithmNames, hasBurst, httpAlgorithmOptions, policyOf } from './helpers/policies.js'
import { privateRedis, scriptCalls, uniquePrefix } from './helpers/redis.js'
import { createStore, manualClock, type StoreKind } from './helpers/stores.js'

const storeKinds = ['memory', 'standalone', 'cluster'] as const
const stores = Object.fromEntries(storeKinds.map((kind) => [kind, createStore(kind)])) as Record<StoreKind, Store>
const MINUTE = 60_000

describe.each(algorithmNames)('%s under a limit given per request', (algorithm) => {
  it.each(storeKinds)('carries what a client used into its upgraded limit (%s)', async (kind) => {
    const clock = manualClock(MINUTE)
    clock.set(clock.start + 1_000)
    const limiter = new RateLimiter({
      store: stores[kind],
      policy: policyOf(algorithm, { limit: 3, windowMs: MINUTE, name: 'plan' }),
      prefix: uniquePrefix('tier'),
      clock: clock.now,
    })
    for (let request = 0; request < 3; request++) expect((await limiter.consume('client')).allowed).toBe(true)
    expect((await limiter.consume('client')).allowed).toBe(false)

    const upgraded = await limiter.consume('client', { limit: 10 })
    expect(upgraded).toMatchObject({ limit: 10, policy: 'plan' })
    if (hasBurst(algorithm)) {
      // A bucket keeps the tokens (GCRA: the debt, in time) it had: no fresh burst, and no wait
      // longer than one unit of the new rate.
      expect(upgraded.allowed).toBe(false)
      expect(upgraded.retryAfterMs).toBeLessThanOrEqual(MINUTE / 10)
    } else {
      // A window keeps its count: 3 used of the new 10, then this one.
      expect(upgraded).toMatchObject({ allowed: true, remaining: 6 })
    }
    // Back on the lower limit, what was used counts against it: nothing left, never less than 0.
    expect(await limiter.consume('client')).toMatchObject({ allowed: false, remaining: 0, limit: 3 })
  })
})

describe('per-request limits on Redis', () => {
  const redis = privateRedis()

  it('decide in one script call each, whatever the limit', async () => {
    const store = new RedisStore({ client: redis.client, coalesce: false })
    const limiter = new RateLimiter({ store, policy: policyOf('gcra', { limit: 100, windowMs: MINUTE }) })
    await limiter.consume('warm-up') // loads the script
    await redis.client.config('RESETSTAT')
    for (const limit of [100, 5_000, 7, 5_000, 100]) await limiter.consume('client', { limit })
    expect(await scriptCalls(redis.client)).toEqual({ evalsha: 5, eval: 0 })
  })
})

describe('a per-request limit', () => {
  const limiter = new RateLimiter({ policy: policyOf('fixed-window', { limit: 10, windowMs: MINUTE }) })

  it('keeps the policy name and its keys, and makes one policy list per distinct limit', () => {
    const [policy] = limiter.policiesFor({ limit: 500 })
    expect(policy).toMatchObject({ name: '10-per-60s', limit: 500, windowMs: MINUTE })
    expect(limiter.policiesFor({ limit: 500 })).toBe(limiter.policiesFor({ limit: 500 }))
    expect(limiter.policiesFor()).toBe(limiter.policies)
  })

  it('keeps a burst given apart from the limit, and moves a burst that was the limit with it', () => {
    const apart = new RateLimiter({ policy: tokenBucket({ limit: 10, windowMs: MINUTE, burst: 30 }) })
    expect(apart.policiesFor({ limit: 20 })[0]).toMatchObject({ limit: 20, burst: 30 })
    const same = new RateLimiter({ policy: tokenBucket({ limit: 10, windowMs: MINUTE }) })
    expect(same.policiesFor({ limit: 20 })[0]).toMatchObject({ limit: 20, burst: 20 })
  })

  it('is checked as the factory checks it', async () => {
    await expect(limiter.consume('client', { limit: 0 })).rejects.toThrow(
      /^Expected `limit` to be a positive integer.*, got 0$/,
    )
    await expect(limiter.consume('client', { windowMs: -1 })).rejects.toThrow('`windowMs`')
  })

  it('needs a limiter of one policy', async () => {
    const two = new RateLimiter({
      policy: [
        policyOf('gcra', { limit: 1, windowMs: 1_000 }),
        policyOf('fixed-window', { limit: 9, windowMs: MINUTE }),
      ],
    })
    await expect(two.consume('client', { limit: 5 })).rejects.toThrow('only for a limiter of one policy, got 2')
  })
})

describe.each(algorithmNames)('the adapters with limit and windowMs as functions of the request (%s)', (algorithm) => {
  it('limit each plan by its own numbers, and tell each client its own in the headers', async () => {
    const app = express()
    const plans: Record<string, number> = { free: 2, pro: 5 }
    app.use(
      rateLimit({
        ...httpAlgorithmOptions(algorithm),
        limit: async (req) => plans[req.get('x-plan') ?? 'free'] ?? 2,
        windowMs: (req) => (req.get('x-plan') === 'pro' ? 30_000 : MINUTE),
        keyGenerator: (req) => req.get('x-user') ?? 'anonymous',
      }),
    )
    app.get('/', (_req, res) => {
      res.send('ok')
    })
    const server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    const { port } = server.address() as { port: number }
    const statuses = async (user: string, plan: string) => {
      const answers: number[] = []
      let policy = ''
      for (let request = 0; request < 7; request++) {
        const response = await fetch(`http://127.0.0.1:${port}/`, { headers: { 'x-user': user, 'x-plan': plan } })
        answers.push(response.status)
        policy = (response.headers.get('ratelimit-policy') ?? '').replace(/;pk=.*$/, '')
      }
      return { allowed: answers.filter((status) => status === 200).length, policy }
    }
    expect(await statuses('alice', 'free')).toEqual({ allowed: 2, policy: '"limit-per-window";q=2;w=60' })
    expect(await statuses('bob', 'pro')).toEqual({ allowed: 5, policy: '"limit-per-window";q=5;w=30' })
    await new Promise((resolve) => server.close(resolve))
  })
})

describe('a per-request limit with a ready limiter', () => {
  it('decides each request under the numbers its functions give, on the limiter it was given', async () => {
    const onError = () => undefined
    const limiter = new RateLimiter({ policy: policyOf('fixed-window', { limit: 1, windowMs: MINUTE }), onError })
    const limit = fetchRateLimit({
      limiter,
      limit: (request) => Number(request.headers.get('x-limit')),
      windowMs: async () => 30_000,
    })
    const statuses: number[] = []
    for (let request = 0; request < 4; request++) {
      const refused = await limit(new Request('http://app.test/', { headers: { 'x-limit': '3' } }), { ip: '1.2.3.4' })
      statuses.push(refused?.status ?? 200)
    }
    expect(statuses).toEqual([200, 200, 200, 429])
    expect(await limiter.peek('1.2.3.4', { limit: 3, windowMs: 30_000 })).toMatchObject({ remaining: 0, limit: 3 })
  })

  it('is refused at setup for a limiter of several policies, and a number still is for any limiter', () => {
    const two = new RateLimiter({
      policy: [
        policyOf('gcra', { limit: 1, windowMs: 1_000 }),
        policyOf('fixed-window', { limit: 5, windowMs: MINUTE }),
      ],
    })
    expect(() => fetchRateLimit({ limiter: two, limit: () => 3 })).toThrow(
      /^Expected a `limiter` of one policy with a per-request `limit`, got 2 policies$/,
    )
    expect(() => fetchRateLimit({ limiter: new RateLimiter(), windowMs: 1_000 })).toThrow(/`windowMs` to be left out/)
  })
})
