import { describe, expect, it, vi } from 'vitest'
import { digest, lastKeyMemo } from '../src/hash.js'
import { fixedWindow, RateLimiter, RedisStore } from '../src/index.js'
import { hashSlot, keySlot } from '../src/redis/slot.js'
import { redisKeys } from '../src/redis-store.js'
import { algorithmNames, policyOf } from './helpers/policies.js'
import {
  connect,
  connectNodeRedisCluster,
  connectStandalone,
  deployments,
  ports,
  uniquePrefix,
} from './helpers/redis.js'
import { manualClock } from './helpers/stores.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE

/** The hash tag inside a Redis key: what its Cluster slot is computed from. */
const tagOf = (redisKey: string) => redisKey.slice(redisKey.indexOf('{') + 1, redisKey.indexOf('}'))

describe('hashSlot', () => {
  it('computes the Cluster slot of a hash tag', () => {
    expect(hashSlot('123456789')).toBe(0x31c3)
    expect(hashSlot('foo')).toBe(12_182)
    expect(hashSlot('bar')).toBe(5_061)
  })
})

describe('keySlot', () => {
  const cluster = connectStandalone(ports.clusterPorts[0])

  // Redis's own rules: the text in the first {...} when it is not empty, else the whole key.
  it.each([
    'plain',
    '{user1000}.following',
    'foo{}{bar}',
    'foo{{bar}}zap',
    'foo{bar}{zap}',
    '{}',
    '}{x}',
    'no{close',
    'no}open',
    'a{b}',
    '{a}b{c}',
  ])('finds the slot Redis finds for %s', async (key) => {
    expect(keySlot(key)).toBe(await cluster.cluster('KEYSLOT', key))
  })
})

describe('hash tags', () => {
  it('computes a run of one key once, and a key that changes again', () => {
    const compute = vi.fn((key: string) => `#${key}`)
    const memo = lastKeyMemo(compute)
    expect(['a', 'a', 'a', 'b', 'a', 'a'].map(memo)).toEqual(['#a', '#a', '#a', '#b', '#a', '#a'])
    expect(compute.mock.calls.map(([key]) => key)).toEqual(['a', 'b', 'a'])
  })

  it('gives a client key the same tag however calls for other keys interleave', () => {
    const policies = [fixedWindow({ limit: 1, windowMs: MINUTE })]
    const tags = ['10.0.0.1', '10.0.0.1', '10.0.0.2', '10.0.0.1'].map((key) =>
      tagOf(redisKeys({ prefix: 'rl', key, policies })[0] as string),
    )
    expect(tags).toEqual([tags[0], tags[0], tags[2], tags[0]])
    expect(tags[0]).not.toBe(tags[2])
  })

  it('uses a short printable client key as its own tag, and a digest for any other', () => {
    const policies = [fixedWindow({ limit: 1, windowMs: MINUTE })]
    const tagFor = (key: string) => tagOf(redisKeys({ prefix: 'rl', key, policies })[0] as string)
    for (const key of ['10.0.0.1', '2001:db8:85a3:8d00::/56', 'user:42', 'x'.repeat(32)]) expect(tagFor(key)).toBe(key)
    for (const key of ['x'.repeat(33), 'a b', 'a{b', 'a}b', 'é', 'line\nbreak', '#10.0.0.1'])
      expect(tagFor(key)).toBe(`#${digest(key).slice(0, 11)}`)
    // A key shaped like another's digest tag is digested itself: it cannot take that client's keys.
    const digestTag = tagFor('x'.repeat(33))
    expect(tagFor(digestTag)).not.toBe(digestTag)
  })
})

describe.each(deployments)('fixed-window keys on Redis %s', (deployment) => {
  const client = connect(deployment)
  const slotCounter = connectStandalone(ports.clusterPorts[0])
  const store = new RedisStore({ client })
  const policy = fixedWindow({ limit: 3, windowMs: MINUTE })

  it.each(algorithmNames)('gives each %s key a TTL of the time until its state stops mattering', async (algorithm) => {
    const prefix = uniquePrefix('ttl')
    // An hour: a TTL off by a thousandth is then off by more than the 200 ms the check allows.
    const ttlPolicy = policyOf(algorithm, { limit: 10, windowMs: 60 * MINUTE })
    const result = await new RateLimiter({ store, policy: ttlPolicy, prefix }).consume('client', { cost: 3 })
    const [redisKey] = redisKeys({ prefix, key: 'client', policies: [ttlPolicy] })
    const ttlMs = await client.pttl(redisKey as string)
    expect(ttlMs).toBeGreaterThan(result.resetAfterMs - 200)
    expect(ttlMs).toBeLessThanOrEqual(result.resetAfterMs)
  })

  it.each(algorithmNames)(
    "gives the %s key, when it refunds, the TTL of its state's remaining life",
    async (algorithm) => {
      const prefix = uniquePrefix('refund-ttl')
      // An hour, two thirds of it gone: the state's remaining life is no longer the whole window, and
      // a TTL off by a thousandth is off by more than the check allows.
      const refundPolicy = policyOf(algorithm, { limit: 10, windowMs: HOUR })
      const clock = manualClock(HOUR)
      const limiter = new RateLimiter({ store, policy: refundPolicy, prefix, clock: clock.now })
      const [redisKey] = redisKeys({ prefix, key: 'client', policies: [refundPolicy] }) as [string]
      await limiter.consume('client', { cost: 8 })
      clock.set(clock.start + 40 * MINUTE)
      const result = await limiter.consume('client', { cost: 2 })
      const stateBefore = await client.get(redisKey)
      await limiter.refund(result)
      const ttlMs = await client.pttl(redisKey)
      const { resetAfterMs } = await limiter.peek('client', { cost: 0 })
      expect(await client.get(redisKey)).not.toBe(stateBefore)
      // The window's end for the windows (as before the refund), the bucket full again for the others.
      expect(resetAfterMs).toBeGreaterThan(0)
      expect(Math.abs(ttlMs - resetAfterMs)).toBeLessThan(250)
    },
  )

  // What the key holds still weighs for a window (fixed window) or two (sliding window) from the
  // stored window's start.
  it.each([
    ['fixed-window', MINUTE],
    ['sliding-window', 2 * MINUTE],
  ])(
    'gives a %s key refunded on a clock stepped back before its window the TTL it had as that window opened',
    async (algorithm, lifeMs) => {
      const prefix = uniquePrefix('refund-back')
      const clock = manualClock(MINUTE)
      const backPolicy = policyOf(algorithm as string, { limit: 3, windowMs: MINUTE })
      const limiter = new RateLimiter({ store, policy: backPolicy, prefix, clock: clock.now })
      const [redisKey] = redisKeys({ prefix, key: 'client', policies: [backPolicy] }) as [string]
      clock.set(clock.start + MINUTE + 5_000)
      const charged = await limiter.consume('client', { cost: 2 })
      // Back into the minute before the stored one: no time has passed since the stored window opened.
      clock.set(clock.start + 50_000)
      await limiter.refund(charged)
      const ttlMs = await client.pttl(redisKey)
      expect(ttlMs).toBeGreaterThan((lifeMs as number) - 1_000)
      expect(ttlMs).toBeLessThanOrEqual(lifeMs as number)
    },
  )

  it.each(algorithmNames)('writes no %s key for a request of cost 0', async (algorithm) => {
    const prefix = uniquePrefix('cost-0')
    const zeroPolicy = policyOf(algorithm, { limit: 10, windowMs: MINUTE })
    const limiter = new RateLimiter({ store, policy: zeroPolicy, prefix })
    const [redisKey] = redisKeys({ prefix, key: 'client', policies: [zeroPolicy] }) as [string]
    expect(await limiter.consume('client', { cost: 0 })).toMatchObject({ allowed: true, remaining: 10 })
    expect(await client.exists(redisKey)).toBe(0)
  })

  it.each(['token-bucket', 'gcra'])('drops the %s key when a refund leaves it full', async (algorithm) => {
    const prefix = uniquePrefix('refund-full')
    // 7 per minute: an interval of 8,571,428.6 µs, which the scripts round up, charging and refunding alike.
    const refundPolicy = policyOf(algorithm, { limit: 7, windowMs: MINUTE })
    const clock = manualClock(MINUTE)
    const limiter = new RateLimiter({ store, policy: refundPolicy, prefix, clock: clock.now })
    const [redisKey] = redisKeys({ prefix, key: 'client', policies: [refundPolicy] }) as [string]
    await limiter.refund(await limiter.consume('client', { cost: 2 }))
    expect(await client.exists(redisKey)).toBe(0)
    expect((await limiter.peek('client')).remaining).toBe(7)
  })

  it.each(algorithmNames)(
    'puts back a %s TTL that something outside removed, within the window, on the next allowed and the next denied request, not on a peek',
    async (algorithm) => {
      // Not under `test-`: the after-file TTL scan of a parallel test file must not see the key mid-test.
      const prefix = `persisted-${uniquePrefix('repair')}`
      // An hour: a TTL off by a thousandth is then off by seconds.
      const persistedPolicy = policyOf(algorithm, { limit: 3, windowMs: HOUR })
      const limiter = new RateLimiter({ store, policy: persistedPolicy, prefix, blockCache: false })
      const [redisKey] = redisKeys({ prefix, key: 'client', policies: [persistedPolicy] }) as [string]
      const ttlAfter = async (cost: number, allowed: boolean) => {
        await limiter.consume('client')
        await client.persist(redisKey)
        // A peek writes nothing, a repair neither (in Functions mode it runs read-only).
        await limiter.peek('client')
        expect(await client.pttl(redisKey)).toBe(-1)
        expect((await limiter.consume('client', { cost })).allowed).toBe(allowed)
        return client.pttl(redisKey)
      }
      // Back within what the state must live: the window, and for the sliding window the next one too,
      // which still weighs its units.
      const longestTtlMs = algorithm === 'sliding-window' ? 2 * HOUR : HOUR
      for (const [cost, allowed] of [
        [1, true],
        [3, false],
      ] as const) {
        const ttlMs = await ttlAfter(cost, allowed)
        expect(ttlMs).toBeGreaterThan(0)
        // And never shorter than the state's remaining life.
        expect(ttlMs).toBeGreaterThan((await limiter.peek('client', { cost: 0 })).resetAfterMs - 1_000)
        expect(ttlMs).toBeLessThanOrEqual(longestTtlMs)
      }
    },
  )

  it('puts every key of a decision into one hash slot, whatever the client key holds', async () => {
    const prefix = uniquePrefix('slot')
    const policies = [fixedWindow({ limit: 5, windowMs: MINUTE }), fixedWindow({ limit: 9, windowMs: 3_600_000 })]
    const limiter = new RateLimiter({ store, policy: policies, prefix })
    for (const key of ['}{', '{x}', 'a{b}c', 'line\nbreak', 'z'.repeat(10_240)]) {
      expect(await limiter.consume(key)).toMatchObject({ allowed: true, degraded: false })
      const keys = redisKeys({ prefix, key, policies })
      expect(keys.every((redisKey) => redisKey.length < 80)).toBe(true)
      // A Cluster node computes the slots, whichever deployment decided: a standalone server has no KEYSLOT.
      const slots = await Promise.all(keys.map((redisKey) => slotCounter.call('CLUSTER', 'KEYSLOT', redisKey)))
      expect(new Set(slots).size).toBe(1)
    }
  })

  it('names the failure domain of a key: the master serving its slot on a Cluster, the server otherwise', async () => {
    await client.ping() // a Cluster client knows its slot map once connected
    const store = new RedisStore({ client })
    const domains = new Set<string>()
    for (let index = 0; index < 60; index++) {
      const key = `client-${index}`
      const domain = store.failureDomain({ prefix: 'p', key, policies: [policy] })
      domains.add(domain)
      const [redisKey] = redisKeys({ prefix: 'p', key, policies: [policy] })
      if (deployment === 'cluster')
        expect(await client.call('CLUSTER', 'KEYSLOT', redisKey as string)).toBe(hashSlot(tagOf(redisKey as string)))
    }
    const expected = deployment === 'cluster' ? ports.clusterPorts.map((port) => `127.0.0.1:${port}`).sort() : ['']
    expect([...domains].sort()).toEqual(expected)
  })

  it('uses the server clock when no clock is injected', async () => {
    const windowMs = 10_000
    const limiter = new RateLimiter({
      store,
      policy: fixedWindow({ limit: 1, windowMs }),
      prefix: uniquePrefix('time'),
    })
    const { resetAfterMs } = await limiter.consume('client')
    const expectedMs = windowMs - (Date.now() % windowMs)
    // Distance around the window, in case a window edge fell between the decision and this line.
    const offMs = Math.abs(resetAfterMs - expectedMs)
    expect(Math.min(offMs, windowMs - offMs)).toBeLessThan(200)
  })

  it.each(algorithmNames)(
    'reports a %s key holding some other state as a store error, and decides by onStoreError',
    async (algorithm) => {
      const prefix = uniquePrefix('foreign')
      const foreignPolicy = policyOf(algorithm, { limit: 3, windowMs: MINUTE })
      const [redisKey] = redisKeys({ prefix, key: 'client', policies: [foreignPolicy] }) as [string]
      await client.set(redisKey, 'not a state', 'PX', 60_000)
      const onError = vi.fn()
      const limiter = new RateLimiter({ store, policy: foreignPolicy, prefix, onError, onStoreError: 'deny' })
      expect(await limiter.consume('client')).toMatchObject({ allowed: false, degraded: true })
      const message = algorithm === 'gcra' ? 'does not hold a GCRA arrival time' : `does not hold ${algorithm} state`
      expect(String(onError.mock.calls[0]?.[0])).toContain(message)
    },
  )

  it('keeps a penalty key as long as its bans are remembered, and a run of refusals as long as it counts', async () => {
    const prefix = uniquePrefix('penalty-ttl')
    const clock = manualClock(MINUTE)
    const ban = { afterRefusals: 2, durationMs: MINUTE, forgetAfterMs: 10 * MINUTE }
    const limiter = new RateLimiter({ store, policy, prefix, clock: clock.now, ban, blockCache: false })
    const penalty = { continueExceeding: false, ban: undefined, refusalsKeptMs: MINUTE }
    const [, penaltyKey] = redisKeys({ prefix, key: 'client', policies: [policy], penalty }) as [string, string]
    await limiter.consume('client', { cost: 3 })
    expect(await limiter.consume('client')).toMatchObject({ refusals: 1, banned: false })
    const refusalsTtlMs = await client.pttl(penaltyKey)
    expect(refusalsTtlMs).toBeGreaterThan(MINUTE - 1_000)
    expect(refusalsTtlMs).toBeLessThanOrEqual(MINUTE)
    expect(await limiter.consume('client')).toMatchObject({ banned: true })
    // The ban's minute, then the 10 minutes it is remembered for the next ban's growth.
    const banTtlMs = await client.pttl(penaltyKey)
    expect(banTtlMs).toBeGreaterThan(11 * MINUTE - 1_000)
    expect(banTtlMs).toBeLessThanOrEqual(11 * MINUTE)
    // The ban served, an allowed request ends the run; the ban is still remembered until then.
    clock.set(clock.start + 2 * MINUTE)
    expect(await limiter.consume('client')).toMatchObject({ allowed: true, banned: false })
    const rememberedTtlMs = await client.pttl(penaltyKey)
    expect(rememberedTtlMs).toBeGreaterThan(9 * MINUTE - 1_000)
    expect(rememberedTtlMs).toBeLessThanOrEqual(9 * MINUTE)
  })

  it.each(['not a state', '1:2:3', '1:2:3:4:5:6:7;'])(
    'reports a penalty key holding %j as a store error',
    async (foreign) => {
      const prefix = uniquePrefix('foreign-penalty')
      const penalty = { continueExceeding: false, ban: undefined, refusalsKeptMs: MINUTE }
      const [, penaltyKey] = redisKeys({ prefix, key: 'client', policies: [policy], penalty }) as [string, string]
      await client.set(penaltyKey, foreign, 'PX', 60_000)
      const onError = vi.fn()
      const options = { store, policy, prefix, onError, onStoreError: 'deny', countRefusals: true } as const
      expect(await new RateLimiter(options).consume('client')).toMatchObject({ allowed: false, degraded: true })
      expect(String(onError.mock.calls[0]?.[0])).toContain('does not hold penalty state')
    },
  )

  it('reports a key of another Redis type (a hash, as the sliding window and token bucket once were) as a store error', async () => {
    const prefix = uniquePrefix('hash')
    const hashPolicy = policyOf('sliding-window', { limit: 3, windowMs: MINUTE })
    const [redisKey] = redisKeys({ prefix, key: 'client', policies: [hashPolicy] }) as [string]
    await client.hset(redisKey, { w: 1, c: 1, p: 0 })
    await client.pexpire(redisKey, 60_000)
    const onError = vi.fn()
    const limiter = new RateLimiter({ store, policy: hashPolicy, prefix, onError, onStoreError: 'allow' })
    expect(await limiter.consume('client')).toMatchObject({ allowed: true, degraded: true })
    expect(String(onError.mock.calls[0]?.[0])).toContain('WRONGTYPE')
  })
})

describe('failure domains through node-redis', () => {
  const cluster = connectNodeRedisCluster()
  const slotCounter = connectStandalone(ports.clusterPorts[0])

  it('names the master serving the slot of each key on a node-redis cluster', async () => {
    const store = new RedisStore({ client: cluster })
    const policies = [fixedWindow({ limit: 3, windowMs: MINUTE })]
    // CLUSTER SLOTS: [first slot, last slot, [master ip, master port, id], ...replicas] per range.
    const ranges = (await slotCounter.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][]
    const masterOf = (slot: number) => {
      const [, , [ip, port]] = ranges.find(([first, last]) => first <= slot && slot <= last) ?? [0, 0, ['', 0]]
      return `${ip}:${port}`
    }
    const domains = new Set<string>()
    for (let index = 0; index < 60; index++) {
      const key = `client-${index}`
      const [redisKey] = redisKeys({ prefix: 'p', key, policies }) as [string]
      const domain = store.failureDomain({ prefix: 'p', key, policies })
      expect(domain).toBe(masterOf(Number(await slotCounter.call('CLUSTER', 'KEYSLOT', redisKey))))
      domains.add(domain)
    }
    expect(domains.size).toBe(3)
  })
})

// The key layout the README documents, read back from Redis itself: a store's keys must not change
// under its users' feet (a new tag orphans every stored state), and no two algorithms may share one.
describe('key names as documented', () => {
  const client = connectStandalone(ports.standalonePort)
  const store = new RedisStore({ client })
  const tags: Record<string, string> = {
    'fixed-window': '',
    'fixed-window-anchored': 'fa:',
    'sliding-window': 'sw:',
    'token-bucket': 'tb:',
    gcra: 'gcra:',
  }

  it.each(algorithmNames)('names the %s key <prefix>:{<client>}:<tag><policy name>', async (algorithm) => {
    const prefix = uniquePrefix('names')
    const policy = policyOf(algorithm, { limit: 5, windowMs: MINUTE, name: 'per-minute' })
    expect(policy.algorithm).toBe(algorithm)
    await new RateLimiter({ store, policy, prefix }).consume('203.0.113.7')
    expect(await client.keys(`${prefix}:*`)).toEqual([`${prefix}:{203.0.113.7}:${tags[algorithm]}per-minute`])
  })

  it('keeps the state of one policy name apart for each algorithm, on one store and prefix', async () => {
    const prefix = uniquePrefix('apart')
    const limiters = algorithmNames.map(
      (algorithm) =>
        new RateLimiter({ store, prefix, policy: policyOf(algorithm, { limit: 2, windowMs: HOUR, name: 'shared' }) }),
    )
    for (const limiter of limiters) {
      expect((await limiter.consume('client')).remaining, limiter.policies[0]?.algorithm).toBe(1)
      expect((await limiter.consume('client')).remaining).toBe(0)
    }
    expect(await client.keys(`${prefix}:*`)).toHaveLength(algorithmNames.length)
  })
})
