import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  fixedWindow,
  gcra,
  MemoryStore,
  type Policy,
  RateLimiter,
  type RateLimiterOptions,
  type RateLimitResult,
  type Store,
  slidingWindow,
  tokenBucket,
} from '../src/index.js'
import { uniquePrefix } from './helpers/redis.js'
import { createStore, type StoreKind } from './helpers/stores.js'

/**
 * Policy sets the traces switch between: each algorithm alone, mixed sets, odd window lengths. No
 * policy refills in under a few ms: Redis TTLs run on real time, which the injected clock can trail
 * by the latency of one call, so a key that stops mattering within a millisecond could expire in
 * Redis a moment before the clock says so (a token bucket of 4 tokens per ms made this test flaky).
 */
const policySets: readonly (readonly Policy[])[] = [
  [fixedWindow({ limit: 10, windowMs: 1_000 })],
  [slidingWindow({ limit: 8, windowMs: 1_500 })],
  [tokenBucket({ limit: 5, windowMs: 1_000, burst: 12 })],
  [gcra({ limit: 7, windowMs: 1_000, burst: 3 })],
  [
    gcra({ limit: 3, windowMs: 1_000 }),
    fixedWindow({ limit: 12, windowMs: 60_000 }),
    fixedWindow({ limit: 9, windowMs: 2_000, anchor: 'first-request', name: 'anchored' }),
    tokenBucket({ limit: 2, windowMs: 1_000, burst: 4 }),
    slidingWindow({ limit: 6, windowMs: 900 }),
  ],
  [
    slidingWindow({ limit: 7, windowMs: 1_337 }),
    tokenBucket({ limit: 1_000, windowMs: 25_000 }),
    fixedWindow({ limit: 3, windowMs: 250 }),
    gcra({ limit: 100, windowMs: 3_600_000, burst: 20 }),
    fixedWindow({ limit: 4, windowMs: 700, anchor: 'first-request', name: 'anchored-short' }),
  ],
  [fixedWindow({ limit: 6, windowMs: 1_200, anchor: 'first-request' })],
]

/** Penalties of the limiters of some policy sets (by index): bans, continueExceeding, counted refusals. */
const penaltiesOf: Record<number, Partial<RateLimiterOptions>> = {
  3: { ban: { afterRefusals: 3, durationMs: 2_000, growthFactor: 2 } },
  4: { continueExceeding: true, ban: { afterRefusals: 5 } },
  6: { countRefusals: true },
}

const step = fc.record({
  operation: fc.constantFrom('consume', 'consume', 'consume', 'consume', 'peek', 'reset', 'refund'),
  key: fc.constantFrom('alice', 'bob', '{carol}', 'dave\n'),
  cost: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 15 })),
  policySet: fc.integer({ min: 0, max: policySets.length - 1 }),
  advanceMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 90_000 })),
})

const RUNS = 200
const STEPS = { minLength: 40, maxLength: 160, size: 'max' } as const

describe.each<StoreKind>(['standalone', 'cluster', 'functions'])('MemoryStore and RedisStore (%s)', (kind) => {
  const redis = createStore(kind)

  it(`agree on every decision of random traces (${RUNS} traces of up to ${STEPS.maxLength} steps, 5,000+ per algorithm)`, async () => {
    const operationsPerAlgorithm = new Map<string, number>()
    await fc.assert(
      fc.asyncProperty(fc.array(step, STEPS), async (steps) => {
        // The injected clock never runs slower than real time, so Redis TTLs (on real time) cannot
        // expire state the injected clock still counts on, but for the latency of a call (see
        // policySets). Both stores see the same instant per step.
        const realStartMs = performance.now()
        let advancedMs = (Math.floor(Date.now() / 3_600_000) + 1) * 3_600_000
        let nowMs = advancedMs
        const prefix = uniquePrefix(`diff-${kind}`)
        const memory = new MemoryStore()
        const pair = (store: Store, policy: readonly Policy[], set: number) =>
          new RateLimiter({
            ...penaltiesOf[set],
            store,
            policy,
            prefix,
            clock: () => nowMs,
            timeoutMs: 5_000,
            onStoreError: 'deny',
            blockCache: false,
          })
        const limiters = policySets.map((policy, set) => ({
          memory: pair(memory, policy, set),
          redis: pair(redis, policy, set),
        }))
        const lastConsumed = new Map<string, [RateLimitResult, RateLimitResult]>()
        for (const { operation, key, cost, policySet, advanceMs } of steps) {
          advancedMs += advanceMs
          nowMs = advancedMs + Math.ceil(performance.now() - realStartMs)
          const { memory: onMemory, redis: onRedis } = limiters[policySet] as (typeof limiters)[number]
          const consumed = lastConsumed.get(`${policySet}:${key}`)
          if (operation === 'reset') {
            await Promise.all([onMemory.reset(key), onRedis.reset(key)])
          } else if (operation === 'refund') {
            if (consumed) await Promise.all([onMemory.refund(consumed[0]), onRedis.refund(consumed[1])])
          } else {
            const [expected, actual] = await Promise.all([
              onMemory[operation](key, { cost }),
              onRedis[operation](key, { cost }),
            ])
            expect(actual).toEqual(expected)
            if (operation === 'consume') lastConsumed.set(`${policySet}:${key}`, [expected, actual])
          }
          for (const { algorithm } of policySets[policySet] as readonly Policy[])
            operationsPerAlgorithm.set(algorithm, (operationsPerAlgorithm.get(algorithm) ?? 0) + 1)
        }
      }),
      { numRuns: RUNS },
    )
    console.info(`differential ${kind}: operations per algorithm`, Object.fromEntries(operationsPerAlgorithm))
    for (const algorithm of ['fixed-window', 'fixed-window-anchored', 'sliding-window', 'token-bucket', 'gcra'])
      expect(operationsPerAlgorithm.get(algorithm), algorithm).toBeGreaterThanOrEqual(5_000)
  }, 120_000) // about 10 s alone; the rest of the suite runs beside it on two cores
})
