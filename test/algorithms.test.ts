import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MemoryStore, type Policy, RateLimiter, type Store, slidingWindow } from '../src/index.js'
import { steppingClock } from './helpers/clocks.js'
import { algorithmNames, hasBurst, policyOf } from './helpers/policies.js'
import { uniquePrefix } from './helpers/redis.js'
import { createStore, manualClock, type StoreKind, storeKinds } from './helpers/stores.js'

/** One store of each kind for the whole file (Redis clients are quit after it). */
const stores = Object.fromEntries(storeKinds.map((kind) => [kind, createStore(kind)])) as Record<StoreKind, Store>

const trace = fc.array(
  fc.record({
    advanceMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 5_000 })),
    cost: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 6 })),
  }),
  { minLength: 5, maxLength: 60 },
)
const policyArbitrary = (algorithm: string, shortestWindowMs: number) =>
  fc
    .record({
      limit: fc.integer({ min: 1, max: 12 }),
      windowMs: fc.oneof(fc.constant(1_000), fc.integer({ min: shortestWindowMs, max: 4_000 })),
      extraBurst: fc.integer({ min: 0, max: hasBurst(algorithm) ? 10 : 0 }),
    })
    .map(({ limit, windowMs, extraBurst }) => policyOf(algorithm, { limit, windowMs, burst: limit + extraBurst }))

/** How many retry and reset times a property checked: a property whose checks never ran proves nothing. */
interface HonestyChecks {
  retries: number
  resets: number
}

/**
 * For one client alone: after a denial, retrying at `retryAfterMs` passes and 1 ms earlier does not;
 * after any decision, the quota is whole at `resetAfterMs` and not 1 ms earlier. Counts its checks.
 */
async function checkHonesty(
  store: Store,
  policy: Policy,
  steps: { advanceMs: number; cost: number }[],
  checks: HonestyChecks,
  shortestCheckedMs = 0,
) {
  const clock = steppingClock()
  const limiter = new RateLimiter({ store, policy, prefix: uniquePrefix('honest'), clock: clock.now, timeoutMs: 5_000 })
  const peekAhead = async (aheadMs: number, cost: number) => {
    clock.lookAhead(aheadMs)
    const result = await limiter.peek('client', { cost })
    clock.lookAhead(0)
    return result
  }
  for (const { advanceMs, cost } of steps) {
    clock.step(advanceMs)
    const result = await limiter.consume('client', { cost })
    if (!result.allowed && Number.isFinite(result.retryAfterMs) && result.retryAfterMs >= shortestCheckedMs) {
      expect((await peekAhead(result.retryAfterMs - 1, cost)).allowed, 'allowed 1 ms before retryAfterMs').toBe(false)
      expect((await peekAhead(result.retryAfterMs, cost)).allowed, 'denied at retryAfterMs').toBe(true)
      checks.retries++
    }
    if (result.resetAfterMs > 0 && result.resetAfterMs >= shortestCheckedMs) {
      expect((await peekAhead(result.resetAfterMs - 1, 0)).remaining).toBeLessThan(policy.burst)
      expect((await peekAhead(result.resetAfterMs, 0)).remaining).toBe(policy.burst)
      checks.resets++
    }
  }
}

describe.each(algorithmNames)('%s', (algorithm) => {
  it('tells the exact retry and reset times on the memory store (property)', async () => {
    const store = new MemoryStore()
    const checks = { retries: 0, resets: 0 }
    await fc.assert(
      fc.asyncProperty(policyArbitrary(algorithm, 1), trace, (policy, steps) =>
        checkHonesty(store, policy, steps, checks),
      ),
      { numRuns: 150 },
    )
    console.info(`${algorithm} (memory): ${checks.retries} retry and ${checks.resets} reset times checked`)
    expect(checks.retries).toBeGreaterThanOrEqual(100)
    expect(checks.resets).toBeGreaterThanOrEqual(1_000)
  })

  it.each<StoreKind>(['standalone', 'cluster'])(
    'tells the exact retry and reset times on Redis %s (property)',
    async (kind) => {
      const store = stores[kind]
      // Windows of a second or more, and only waits of a quarter second or more are checked: the
      // clock stands still within a step, while the TTLs Redis set run on real time, so a wait of
      // a few ms could expire before a loaded machine gets to check it.
      const checks = { retries: 0, resets: 0 }
      await fc.assert(
        fc.asyncProperty(policyArbitrary(algorithm, 1_000), trace, (policy, steps) =>
          checkHonesty(store, policy, steps, checks, 250),
        ),
        { numRuns: 25 },
      )
      console.info(`${algorithm} (${kind}): ${checks.retries} retry and ${checks.resets} reset times checked`)
      // Seen from 11 to 68 retry checks, and over 200 reset checks, per run.
      expect(checks.retries).toBeGreaterThanOrEqual(5)
      expect(checks.resets).toBeGreaterThanOrEqual(100)
    },
  )

  // The largest request that can ever pass: told to wait until the whole quota is back, not forever.
  it.each(storeKinds)(
    'tells a request costing the whole quota, after one unit, a finite wait that holds (%s)',
    async (kind) => {
      const clock = steppingClock()
      const policy = policyOf(algorithm, { limit: 4, windowMs: 2_000 })
      const limiter = new RateLimiter({ store: stores[kind], policy, prefix: uniquePrefix('whole'), clock: clock.now })
      expect((await limiter.consume('client')).allowed).toBe(true)
      const refused = await limiter.consume('client', { cost: 4 })
      expect(refused.allowed).toBe(false)
      expect(refused.retryAfterMs).toBeGreaterThan(0)
      // A sliding window weighs the unit until the window after next: two windows at most.
      expect(refused.retryAfterMs).toBeLessThanOrEqual(algorithm === 'sliding-window' ? 4_000 : 2_000)
      clock.step(refused.retryAfterMs)
      expect((await limiter.consume('client', { cost: 4 })).allowed).toBe(true)
    },
  )
})

describe.each(algorithmNames)('%s refunds', (algorithm) => {
  it.each(storeKinds)('give back a charge, and never more than a whole quota (%s)', async (kind) => {
    const clock = manualClock(60_000)
    const policy = policyOf(algorithm, { limit: 10, windowMs: 60_000 })
    const limiter = new RateLimiter({ store: stores[kind], policy, prefix: uniquePrefix('refund'), clock: clock.now })
    const charged = await limiter.consume('client', { cost: 4 })
    const more = await limiter.consume('client', { cost: 3 })
    expect((await limiter.peek('client')).remaining).toBe(3)
    await limiter.refund(charged)
    expect((await limiter.peek('client')).remaining).toBe(7)
    await limiter.refund(more)
    expect((await limiter.peek('client')).remaining).toBe(10)

    const again = await limiter.consume('client', { cost: 1 })
    clock.set(clock.start + 120_000) // every algorithm is whole again
    await limiter.refund(again)
    expect(await limiter.peek('client')).toMatchObject({ remaining: 10, resetAfterMs: 0 })
  })

  // The key was reset after the charge, then charged again in the next window: the refund finds
  // less on the key than it gives back. What is left is never below zero, so never above the limit.
  const leftAfterStaleRefund = {
    'fixed-window': 9,
    'fixed-window-anchored': 9,
    'sliding-window': 9,
    'token-bucket': 10,
    gcra: 10,
  }
  it.each(storeKinds)(
    'never take a count below zero: a refund after a reset frees no more than the limit (%s)',
    async (kind) => {
      const clock = manualClock(60_000)
      const policy = policyOf(algorithm, { limit: 10, windowMs: 60_000 })
      const limiter = new RateLimiter({ store: stores[kind], policy, prefix: uniquePrefix('stale'), clock: clock.now })
      const charged = await limiter.consume('client', { cost: 4 })
      await limiter.reset('client')
      clock.set(clock.start + 60_000)
      await limiter.consume('client')
      await limiter.refund(charged)
      expect((await limiter.peek('client')).remaining).toBe(
        leftAfterStaleRefund[algorithm as keyof typeof leftAfterStaleRefund],
      )
    },
  )
})

describe('sliding window approximation', () => {
  const windowMs = 1_000
  const limit = 10

  /**
   * Units admitted in the span (t - windowMs, t] can exceed `limit` only by the previous window's
   * units times the elapsed share of the current window: the counter weighs them as if spread
   * evenly, while in the worst case they all came at the end of their window.
   */
  it.each<StoreKind>(['memory', 'standalone'])('stays within its bound in long random traces (%s)', async (kind) => {
    const store = stores[kind]
    const arrivals = fc.array(
      fc.record({
        advanceMs: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 400 })),
        cost: fc.integer({ min: 1, max: 3 }),
      }),
      { minLength: 1_000, maxLength: 1_500 },
    )
    let worstExcess = 0
    await fc.assert(
      fc.asyncProperty(arrivals, async (steps) => {
        const clock = steppingClock()
        const limiter = new RateLimiter({
          store,
          policy: slidingWindow({ limit, windowMs }),
          prefix: uniquePrefix('bound'),
          clock: clock.now,
        })
        const admitted: { atMs: number; cost: number }[] = []
        const unitsPerWindow = new Map<number, number>()
        for (const { advanceMs, cost } of steps) {
          clock.step(advanceMs)
          if (!(await limiter.consume('client', { cost })).allowed) continue
          const atMs = clock.now()
          const window = Math.floor(atMs / windowMs)
          admitted.push({ atMs, cost })
          unitsPerWindow.set(window, (unitsPerWindow.get(window) ?? 0) + cost)
          const inSpan = admitted
            .filter((entry) => entry.atMs > atMs - windowMs)
            .reduce((sum, entry) => sum + entry.cost, 0)
          const bound =
            limit + Math.floor(((unitsPerWindow.get(window - 1) ?? 0) * (atMs - window * windowMs)) / windowMs)
          expect(inSpan).toBeLessThanOrEqual(bound)
          worstExcess = Math.max(worstExcess, inSpan - limit)
        }
      }),
      { numRuns: kind === 'memory' ? 10 : 2 },
    )
    console.info(`sliding window (${kind}): worst span held limit + ${worstExcess} (limit ${limit})`)
  })
})

// Keys of many clients in one turn: on a Cluster they fall in many slots, which no call may mix.
describe('a turn of requests from many clients', () => {
  it.each(storeKinds)('is decided exactly, each client on its own quota, and reset so (%s)', async (kind) => {
    const limiter = new RateLimiter({
      store: stores[kind],
      policy: policyOf('fixed-window', { limit: 2, windowMs: 3_600_000 }),
      prefix: uniquePrefix('many'),
    })
    const clients = Array.from({ length: 40 }, (_, index) => `client-${index}`)
    const results = await Promise.all(clients.flatMap((client) => [1, 2, 3].map(() => limiter.consume(client))))
    expect(results.filter((result) => result.degraded)).toEqual([])
    expect(results.map((result) => result.remaining)).toEqual(clients.flatMap(() => [1, 0, 0]))
    // And a reset gives each its whole quota back.
    await Promise.all(clients.map((client) => limiter.reset(client)))
    const peeks = await Promise.all(clients.map((client) => limiter.peek(client)))
    expect(peeks.map((result) => result.remaining)).toEqual(clients.map(() => 2))
  })
})
