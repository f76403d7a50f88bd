import { describe, expect, it } from 'vitest'
import { fixedWindow, gcra, type Policy, RateLimiter, RedisStore, slidingWindow, tokenBucket } from '../src/index.js'
import { privateRedis, scriptCalls, uniquePrefix } from './helpers/redis.js'
import { createStore, manualClock, storeKinds } from './helpers/stores.js'

const DAY = 86_400_000

describe.each(storeKinds)('policies of different algorithms in one limiter, on the %s store', (kind) => {
  const store = createStore(kind)
  const clock = manualClock(DAY)
  const perSecond = gcra({ limit: 10, windowMs: 1_000, burst: 20 })
  const perDay = fixedWindow({ limit: 25, windowMs: DAY })
  const limiter = new RateLimiter({
    store,
    policy: [perSecond, perDay],
    prefix: uniquePrefix('mixed'),
    clock: clock.now,
  })
  const remainingOf = async () => (await limiter.peek('client')).policies.map((policy) => policy.remaining)

  it('charges every policy or none', async () => {
    clock.set(clock.start)
    for (let request = 0; request < 20; request++) expect((await limiter.consume('client')).allowed).toBe(true)
    const burstSpent = await limiter.consume('client')
    expect(burstSpent).toMatchObject({ allowed: false, policy: '10-per-1s-burst-20', retryAfterMs: 100 })
    expect(await remainingOf()).toEqual([0, 5])

    clock.set(clock.start + 1_000)
    expect(await limiter.consume('client', { cost: 5 })).toMatchObject({
      allowed: true,
      policy: '25-per-86400s',
      remaining: 0,
    })
    expect(await remainingOf()).toEqual([5, 0])
    expect(await limiter.consume('client')).toMatchObject({ allowed: false, policy: '25-per-86400s' })
    expect(await remainingOf()).toEqual([5, 0])
  })

  it('decides each limiter by its own policies when their requests share one script call', async () => {
    // Requests of two limiters in one call send both policy lists in ARGV (a lone list rides in the
    // script's source): the frame must read the two-policy list and the one after it right.
    clock.set(clock.start)
    const other = new RateLimiter({
      store,
      policy: fixedWindow({ limit: 3, windowMs: DAY }),
      prefix: uniquePrefix('other'),
      clock: clock.now,
    })
    const decisions = await Promise.all(
      Array.from({ length: 12 }, (_, request) =>
        (request % 2 === 0 ? limiter : other).consume('shared-call', { cost: 2 }),
      ),
    )
    expect(decisions.filter((_, request) => request % 2 === 0).map((decision) => decision.allowed)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ])
    expect(decisions.filter((_, request) => request % 2 === 1).map((decision) => decision.allowed)).toEqual([
      true,
      false,
      false,
      false,
      false,
      false,
    ])
    expect((await limiter.peek('shared-call')).policies.map((policy) => policy.remaining)).toEqual([8, 13])
  })
})

describe('script calls per decision (INFO commandstats on a private server)', () => {
  const redis = privateRedis()

  it.each<[string, Policy[], allowedInSeven: number]>([
    [
      'two fixed windows',
      [fixedWindow({ limit: 5, windowMs: 60_000 }), fixedWindow({ limit: 8, windowMs: 3_600_000 })],
      5,
    ],
    [
      'all four algorithms',
      [
        gcra({ limit: 10, windowMs: 1_000, burst: 20 }),
        fixedWindow({ limit: 1_000, windowMs: DAY }),
        slidingWindow({ limit: 6, windowMs: 60_000 }),
        tokenBucket({ limit: 100, windowMs: 3_600_000 }),
      ],
      6,
    ],
  ])('is one, whatever the policies: %s', async (_label, policy, allowedInSeven) => {
    const store = new RedisStore({ client: redis.client })
    const limiter = new RateLimiter({ store, policy, prefix: uniquePrefix('stats'), blockCache: false })
    await limiter.peek('client') // loads the script
    await redis.client.config('RESETSTAT')
    const results = []
    for (let request = 0; request < 7; request++) results.push(await limiter.consume('client'))
    expect(results.map((result) => result.allowed)).toEqual(
      Array.from({ length: 7 }, (_, index) => index < allowedInSeven),
    )
    expect(await scriptCalls(redis.client)).toEqual({ evalsha: 7, eval: 0 })
  })
})
