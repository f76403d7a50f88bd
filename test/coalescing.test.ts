import { describe, expect, it, vi } from 'vitest'
import {
  fixedWindow,
  gcra,
  MemoryStore,
  type Policy,
  RateLimiter,
  type RateLimitResult,
  RedisStore,
  type Store,
  slidingWindow,
  tokenBucket,
} from '../src/index.js'
import { openClient } from './helpers/clients.js'
import { algorithmNames, policyOf } from './helpers/policies.js'
import { connect, deployments, privateRedis, scriptCalls, uniquePrefix } from './helpers/redis.js'
import { manualClock } from './helpers/stores.js'

const HOUR = 3_600_000

describe('script calls of decisions made in one turn of the event loop (private server)', () => {
  const redis = privateRedis()

  async function callsFor(coalesce: boolean | undefined, requests: number): Promise<number> {
    const store = new RedisStore(coalesce === undefined ? { client: redis.client } : { client: redis.client, coalesce })
    const limiter = new RateLimiter({
      store,
      policy: fixedWindow({ limit: 10, windowMs: HOUR }),
      prefix: uniquePrefix('co'),
    })
    await limiter.peek('warm-up') // loads the scripts
    await limiter.consume('warm-up')
    await redis.client.config('RESETSTAT')
    const results = await Promise.all(
      Array.from({ length: requests }, (_, index) => limiter.consume(`client-${index}`)),
    )
    expect(results.every((result) => result.allowed && !result.degraded)).toBe(true)
    const { evalsha, eval: evals } = await scriptCalls(redis.client)
    return evalsha + evals
  }

  it('share script calls by default: 32 decisions per call at most, after the first, which had nothing to wait for', async () => {
    // The first finds no call in flight and goes at once; the 99 made after it in its turn share 4.
    expect(await callsFor(undefined, 100)).toBe(1 + 4)
    expect(await callsFor(true, 33)).toBe(1 + 1)
    expect(await callsFor(true, 34)).toBe(1 + 2)
  })

  it('go one call each with `coalesce: false`', async () => {
    expect(await callsFor(false, 100)).toBe(100)
  })

  it('a lone decision is one call too', async () => {
    expect(await callsFor(true, 1)).toBe(1)
  })

  it('send a lone decision (no call in flight, the last call held one) at once, not at the end of its turn', async () => {
    const limiter = new RateLimiter({
      store: new RedisStore({ client: redis.client }),
      policy: fixedWindow({ limit: 10, windowMs: HOUR }),
      prefix: uniquePrefix('at-once'),
    })
    await limiter.consume('warm-up') // loads the script
    const evalsha = vi.spyOn(redis.client, 'evalsha')
    try {
      const first = limiter.consume('a')
      expect(evalsha).toHaveBeenCalledTimes(1)
      const second = limiter.consume('b')
      const third = limiter.consume('c')
      expect(evalsha).toHaveBeenCalledTimes(1)
      const results = await Promise.all([first, second, third])
      expect(evalsha).toHaveBeenCalledTimes(2)
      expect(results.map(({ allowed, remaining }) => [allowed, remaining])).toEqual([
        [true, 9],
        [true, 9],
        [true, 9],
      ])
      // After a call of several, traffic comes in turns: a lone decision waits for the end of its turn…
      const fourth = limiter.consume('d')
      expect(evalsha).toHaveBeenCalledTimes(2)
      await fourth
      expect(evalsha).toHaveBeenCalledTimes(3)
      // … and, sent alone, lets the next lone one go at once again.
      const fifth = limiter.consume('e')
      expect(evalsha).toHaveBeenCalledTimes(4)
      await fifth
    } finally {
      evalsha.mockRestore()
    }
  })
})

describe('script calls on node-redis, which writes the commands of a turn at its end (private server)', () => {
  const redis = privateRedis()

  it('send the first decision of every turn at once, and the rest of the turn as one call', async () => {
    // Sent at the end of the turn, as for ioredis, a batch would wait for node-redis's own write
    // at the end of the next turn; the first decision sent at once makes that write fall due
    // after the batch leaves, in the same turn.
    const { client, close } = await openClient('node-redis', [redis.server.port], false)
    const nodeRedis = client as unknown as { evalSha: (sha1: string, options: { keys: string[] }) => Promise<unknown> }
    const limiter = new RateLimiter({
      store: new RedisStore({ client }),
      policy: fixedWindow({ limit: 10, windowMs: HOUR }),
      prefix: uniquePrefix('node-redis-turns'),
    })
    await Promise.all([limiter.consume('warm-up'), limiter.consume('warm-up')]) // loads the scripts
    const evalSha = vi.spyOn(nodeRedis, 'evalSha')
    try {
      // The first finds nothing in flight and goes alone, as on any client; the second would wait
      // for the end of the turn on ioredis, and goes at once here; the others leave as one call.
      const results = ['a', 'b', 'c', 'd'].map((key) => limiter.consume(key))
      expect(evalSha).toHaveBeenCalledTimes(2)
      await Promise.all(results)
      expect(evalSha.mock.calls.map(([, { keys }]) => keys.length)).toEqual([1, 1, 2])
      expect((await Promise.all(results)).map(({ allowed, remaining }) => [allowed, remaining])).toEqual(
        Array.from({ length: 4 }, () => [true, 9]),
      )
    } finally {
      evalSha.mockRestore()
      await close()
    }
  })
})

describe('a call that shares its batch with others (private server)', () => {
  const redis = privateRedis()

  it('knows the penalty functions when only one of the limiters in a call has penalties', async () => {
    const store = new RedisStore({ client: redis.client })
    const prefix = uniquePrefix('mixed-penalties')
    const plain = new RateLimiter({ store, prefix, policy: fixedWindow({ limit: 1, windowMs: HOUR }) })
    const banning = new RateLimiter({
      store,
      prefix,
      policy: fixedWindow({ limit: 1, windowMs: 2 * HOUR }),
      ban: { afterRefusals: 1, durationMs: HOUR },
    })
    const inFlight = plain.peek('warm-up') // what follows in this turn shares one call
    const results = await Promise.all([plain.consume('a'), banning.consume('b'), banning.consume('b')])
    await inFlight
    expect(results.map(({ allowed, banned, degraded }) => [allowed, banned, degraded])).toEqual([
      [true, false, false],
      [true, false, false],
      [false, true, false],
    ])
  })
})

describe.each(deployments)('coalesced decisions on Redis %s', (deployment) => {
  const client = connect(deployment)

  it('are decided in the order they were made, across calls', async () => {
    const limiter = new RateLimiter({
      store: new RedisStore({ client }),
      policy: fixedWindow({ limit: 70, windowMs: HOUR }),
      prefix: uniquePrefix('order'),
      blockCache: false,
    })
    const results = await Promise.all(Array.from({ length: 100 }, () => limiter.consume('one-key')))
    expect(results.map((result) => result.allowed)).toEqual(Array.from({ length: 100 }, (_, index) => index < 70))
    expect(results.slice(0, 70).map((result) => result.remaining)).toEqual(
      Array.from({ length: 70 }, (_, index) => 69 - index),
    )
  })

  // A lone consume goes as the algorithm's own script, which leaves out the values it would default.
  it.each([
    ['token bucket', tokenBucket({ limit: 2, windowMs: HOUR, burst: 5 })],
    ['gcra', gcra({ limit: 2, windowMs: HOUR, burst: 5 })],
    ['gcra, burst = limit', gcra({ limit: 5, windowMs: HOUR })],
  ])('a lone decision on the server clock keeps its burst (%s)', async (_, policy) => {
    const limiter = new RateLimiter({ store: new RedisStore({ client }), policy, prefix: uniquePrefix('alone') })
    const allowed = []
    for (let request = 0; request < 6; request++) allowed.push((await limiter.consume('k')).allowed)
    expect(allowed).toEqual([true, true, true, true, true, false])
  })

  it.each(algorithmNames)('a lone decision on the server clock charges its cost (%s)', async (algorithm) => {
    const policy = policyOf(algorithm, { limit: 5, windowMs: HOUR })
    const limiter = new RateLimiter({ store: new RedisStore({ client }), policy, prefix: uniquePrefix('cost') })
    expect(await limiter.consume('k', { cost: 3 })).toMatchObject({ allowed: true, remaining: 2 })
    expect(await limiter.consume('k', { cost: 3 })).toMatchObject({ allowed: false, remaining: 2 })
    expect(await limiter.consume('k')).toMatchObject({ allowed: true, remaining: 1 })
  })

  it('hold 32 limiters, each with its own policies, in one call', async () => {
    const store = new RedisStore({ client })
    const prefix = uniquePrefix('lists')
    const limiters = Array.from(
      { length: 32 },
      (_, index) => new RateLimiter({ store, policy: fixedWindow({ limit: index + 1, windowMs: HOUR }), prefix }),
    )
    const results = await Promise.all(limiters.map((limiter) => limiter.consume('one-client')))
    expect(results.map((result) => [result.allowed, result.remaining])).toEqual(
      limiters.map((_, index) => [true, index]),
    )
  })

  it('send a run of requests alike (mode, limiter, cost) as one value', async () => {
    const limiter = new RateLimiter({
      store: new RedisStore({ client }),
      policy: fixedWindow({ limit: 50, windowMs: HOUR }),
      prefix: uniquePrefix('run'),
    })
    await limiter.peek('warm-up') // loads the script
    // A call in flight: the requests made after it in this turn wait for the end of the turn.
    const inFlight = limiter.peek('warm-up')
    const evalsha = vi.spyOn(client, 'evalsha')
    try {
      // One client key: on a Cluster too, every request goes in the same call.
      const [results] = await Promise.all([
        Promise.all([
          ...Array.from({ length: 5 }, () => limiter.consume('client')),
          limiter.peek('client'),
          limiter.consume('client', { cost: 3 }),
          limiter.consume('client', { cost: 3 }),
          limiter.consume('client'),
        ]),
        inFlight,
      ])
      expect(evalsha).toHaveBeenCalledTimes(1)
      const [, keyCount, , args] = evalsha.mock.calls[0] as unknown as [string, number, string[], string[]]
      expect(keyCount).toBe(9)
      expect(args.slice(-4)).toEqual(['cAx5', 'pA', 'cA3x2', 'cA'])
      // Each request of a run is decided on its own, in order: the run is not one charge of its total.
      expect(results.map(({ allowed, remaining }) => [allowed, remaining])).toEqual(
        [49, 48, 47, 46, 45, 45, 42, 39, 38].map((remaining) => [true, remaining]),
      )
    } finally {
      evalsha.mockRestore()
    }
  })

  /**
   * Three turns (a minute apart on one clock) of `count` requests, each made by `request` from the
   * limiters of `policyLists` and the result of the same request a turn before: the answers on
   * Redis are the memory store's for the same requests in the same order at the same time.
   */
  async function expectAgreement(
    policyLists: Policy[][],
    count: number,
    request: (limiters: RateLimiter[], index: number, earlier: RateLimitResult | undefined) => Promise<RateLimitResult>,
  ): Promise<void> {
    const clock = manualClock()
    const prefix = uniquePrefix('agree')
    const limitersOn = (store: Store) =>
      policyLists.map((policy) => new RateLimiter({ store, policy, prefix, clock: clock.now, blockCache: false }))
    const onRedis = limitersOn(new RedisStore({ client }))
    const onMemory = limitersOn(new MemoryStore())
    const turn = (limiters: RateLimiter[], earlier: RateLimitResult[]) =>
      Promise.all(Array.from({ length: count }, (_, index) => request(limiters, index, earlier[index])))
    for (let round = 0, lastRedis: RateLimitResult[] = [], lastMemory: RateLimitResult[] = []; round < 3; round++) {
      clock.set(clock.start + round * 60_000)
      const [fromRedis, fromMemory] = await Promise.all([turn(onRedis, lastRedis), turn(onMemory, lastMemory)])
      expect(fromRedis).toEqual(fromMemory)
      lastRedis = fromRedis
      lastMemory = fromMemory
    }
  }

  // Runs of requests alike, broken by peeks, other costs, other limiters and refunds, in one turn.
  it('decide runs of requests alike as the memory store does', async () => {
    const policyLists = [
      [fixedWindow({ limit: 40, windowMs: HOUR })],
      [slidingWindow({ limit: 30, windowMs: HOUR }), gcra({ limit: 60, windowMs: HOUR, burst: 25 })],
    ]
    await expectAgreement(policyLists, 96, (limiters, index, earlier) => {
      const limiter = limiters[Math.floor(index / 12) % 2] as RateLimiter
      const key = `client-${index % 5}`
      if (index % 12 === 11) return limiter.peek(key)
      if (index % 17 === 0 && earlier) return limiter.refund(earlier).then(() => limiter.peek(key))
      return limiter.consume(key, { cost: index % 12 < 8 ? 1 : 2 })
    })
  })

  // Several limiters (policy lists), keys in many slots, every operation and cost, all in one turn.
  it('mix limiters, keys, operations and costs in one turn and agree with the memory store', async () => {
    const policyLists = [
      [fixedWindow({ limit: 5, windowMs: HOUR })],
      [slidingWindow({ limit: 4, windowMs: HOUR }), gcra({ limit: 6, windowMs: HOUR, burst: 3 })],
      [tokenBucket({ limit: 3, windowMs: HOUR })],
    ]
    await expectAgreement(policyLists, 90, (limiters, index, earlier) => {
      const limiter = limiters[index % 3] as RateLimiter
      const key = `client-${index % 7}`
      if (index % 11 === 0) return limiter.peek(key)
      if (index % 13 === 0 && earlier) return limiter.refund(earlier).then(() => limiter.peek(key))
      return limiter.consume(key, { cost: (index % 4) + 1 })
    })
  })
})
