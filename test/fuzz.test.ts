import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MemoryStore, RateLimiter, type RateLimitResult, RedisStore, type Store } from '../src/index.js'
import { factories } from './helpers/policies.js'
import { connectStandalone, uniquePrefix } from './helpers/redis.js'

/** Numbers that options and costs may receive: mostly fine ones, then edge ones and nonsense. */
const anyNumber = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 50 }), weight: 6 },
  { arbitrary: fc.integer({ min: -3, max: 10_000_000 }), weight: 2 },
  fc.constantFrom(0, -1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER, 2 ** 60, 1e21),
  fc.double(),
)
const anyValue = fc.oneof(
  anyNumber,
  fc.string(),
  fc.constantFrom(null, undefined, true, {}, [], () => 1),
)

/** Mostly `valid`, sometimes anything at all. */
const mostly = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: valid, weight: 20 }, { arbitrary: anyValue, weight: 1 })

const policyArbitrary = fc
  .record({
    algorithm: fc.constantFrom(...Object.keys(factories)),
    limit: mostly(fc.integer({ min: 1, max: 1_000 })),
    windowMs: mostly(fc.oneof(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom(1_000, 60_000, 86_400_000))),
    burst: fc.option(mostly(fc.integer({ min: 1, max: 1_000 })), { nil: undefined, freq: 2 }),
    name: fc.option(mostly(fc.constantFrom('api', 'x.y', 'a-b_c', 'api', 'x.y', 'a:b')), { nil: undefined, freq: 2 }),
  })
  .map(
    ({ algorithm, ...options }) =>
      () =>
        (factories[algorithm] as (options: object) => unknown)(options),
  )

const optionsArbitrary = fc
  .record(
    {
      policies: fc.array(policyArbitrary, { minLength: 0, maxLength: 3 }),
      prefix: mostly(fc.oneof(fc.string({ minLength: 1 }), fc.constantFrom('rl', '{rl}'))),
      timeoutMs: mostly(fc.integer({ min: 1, max: 1_000 })),
      onStoreError: mostly(fc.constantFrom('allow', 'deny', 'fallback')),
      instances: mostly(fc.constant(1)),
      circuitBreaker: mostly(
        fc.oneof(fc.constant(false), fc.record({ failureThreshold: anyNumber, cooldownMs: anyNumber })),
      ),
      blockCache: mostly(fc.oneof(fc.boolean(), fc.record({ maxKeys: anyNumber }))),
      clock: mostly(fc.oneof(anyNumber, fc.constantFrom(Date.now(), 1e12, 2 ** 43 + 1)).map((value) => () => value)),
    },
    { requiredKeys: [] },
  )
  // One case in twenty carries an option the limiter does not know.
  .chain((options) => fc.nat(19).map((roll) => (roll === 0 ? { ...options, surprise: 1 } : options)))

const keyArbitrary = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('', '{', '}', '{a}', 'a\nb', '\u0000', 'é🙂'),
  fc.string({ minLength: 1 }).map((text) => text.repeat(Math.ceil(20_000 / text.length))),
  anyValue,
)
const callArbitrary = fc.record({
  method: fc.constantFrom('consume', 'consume', 'peek', 'refund', 'reset'),
  key: keyArbitrary,
  cost: fc.option(mostly(fc.integer({ min: 0, max: 20 })), { nil: undefined }),
})
type Call = { method: 'consume' | 'peek' | 'refund' | 'reset'; key: unknown; cost: unknown }

/** What the fuzzing reached, so that a test can tell it did more than hit option errors. */
interface Reached {
  limiters: number
  results: number
  /** Results the store decided (not the failure policy). */
  decided: number
  callTypeErrors: number
}
const nothingReached = (): Reached => ({ limiters: 0, results: 0, decided: 0, callTypeErrors: 0 })

/** Every invariant a result must keep, whatever came in. */
function expectWellFormed(result: RateLimitResult, policyCount: number): void {
  const wait = (ms: number) => ms === Number.POSITIVE_INFINITY || (Number.isSafeInteger(ms) && ms >= 0)
  for (const part of [result, ...result.policies]) {
    expect(typeof part.allowed).toBe('boolean')
    expect(Number.isSafeInteger(part.remaining) && part.remaining >= 0, `remaining ${part.remaining}`).toBe(true)
    expect(Number.isSafeInteger(part.limit) && part.limit >= 1).toBe(true)
    expect(wait(part.resetAfterMs) && Number.isFinite(part.resetAfterMs), `resetAfterMs ${part.resetAfterMs}`).toBe(
      true,
    )
    expect(wait(part.retryAfterMs), `retryAfterMs ${part.retryAfterMs}`).toBe(true)
    if (part.allowed) expect(part.retryAfterMs).toBe(0)
    else expect(part.retryAfterMs).toBeGreaterThan(0)
  }
  expect(result.policies).toHaveLength(policyCount)
  expect(result.allowed).toBe(result.policies.every((policy) => policy.allowed))
  expect(typeof result.degraded).toBe('boolean')
}

/** Builds a limiter from fuzzed options and runs fuzzed calls: only TypeErrors or well-formed results. */
async function exercise(store: Store, options: object, calls: Call[], reached: Reached) {
  let limiter: RateLimiter
  try {
    const { policies, prefix, ...rest } = options as { policies?: (() => unknown)[]; prefix?: unknown }
    const policy = policies?.length ? policies.map((make) => make()) : undefined
    const namespaced = typeof prefix === 'string' ? `${uniquePrefix('fuzz')}${prefix}` : prefix
    limiter = new RateLimiter({ ...rest, store, prefix: namespaced, ...(policy && { policy }) } as never)
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError)
    return
  }
  reached.limiters++
  let last: RateLimitResult | undefined
  for (const { method, key, cost } of calls) {
    const call =
      method === 'refund'
        ? limiter.refund(last ?? ({} as RateLimitResult))
        : method === 'reset'
          ? limiter.reset(key as string)
          : limiter[method](key as string, cost === undefined ? undefined : { cost: cost as number })
    try {
      const result = await call
      if (result) {
        expectWellFormed(result, limiter.policies.length)
        last = result
        reached.results++
        if (!result.degraded) reached.decided++
      }
    } catch (error) {
      expect(error, String(error)).toBeInstanceOf(TypeError)
      reached.callTypeErrors++
    }
  }
}

const unhandled: unknown[] = []
process.on('unhandledRejection', (reason) => unhandled.push(reason))

describe('fuzzed options, keys, costs and clocks', () => {
  it('either throw a TypeError or give a well-formed result (10,000 cases, memory store)', async () => {
    const reached = nothingReached()
    await fc.assert(
      fc.asyncProperty(optionsArbitrary, fc.array(callArbitrary, { minLength: 2, maxLength: 6 }), (options, calls) =>
        exercise(new MemoryStore(), options, calls as Call[], reached),
      ),
      { numRuns: 10_000 },
    )
    console.info('fuzz (memory):', reached)
    expect(unhandled).toEqual([])
    expect(reached.limiters).toBeGreaterThan(2_000)
    expect(reached.results).toBeGreaterThan(3_000)
  })

  it('either throw a TypeError or give a well-formed result (500 cases, Redis)', async () => {
    const store = new RedisStore({ client: connectStandalone() })
    const reached = nothingReached()
    await fc.assert(
      fc.asyncProperty(optionsArbitrary, fc.array(callArbitrary, { minLength: 2, maxLength: 6 }), (options, calls) =>
        exercise(store, { ...options, timeoutMs: 2_000 }, calls as Call[], reached),
      ),
      { numRuns: 500 },
    )
    console.info('fuzz (Redis):', reached)
    expect(unhandled).toEqual([])
    // A twentieth of the memory store's cases: as many limiters and results, in proportion, and
    // nearly all of them decided on Redis, not by the failure policy.
    expect(reached.limiters).toBeGreaterThan(100)
    expect(reached.results).toBeGreaterThan(150)
    expect(reached.decided).toBeGreaterThan(0.9 * reached.results)
  })
})

describe('fuzzed HTTP adapter options and requests (the fetch guard, which every adapter shares the flow of)', () => {
  const httpOptions = fc.record(
    {
      limit: mostly(fc.integer({ min: 1, max: 5 })),
      windowMs: mostly(fc.constantFrom(1_000, 60_000)),
      algorithm: mostly(fc.constantFrom('fixed-window', 'sliding-window', 'token-bucket', 'gcra')),
      cost: mostly(
        fc.oneof(
          fc.integer({ min: 0, max: 3 }),
          anyNumber.map((units) => () => units),
        ),
      ),
      keyGenerator: mostly(keyArbitrary.map((key) => () => key)),
      skip: mostly(fc.boolean().map((skipped) => () => skipped)),
      message: mostly(fc.oneof(fc.string(), fc.constant({ error: 'slow down' }))),
      statusCode: mostly(fc.integer({ min: 400, max: 599 })),
      standardHeaders: mostly(fc.constantFrom('draft-8', 'draft-7', 'draft-6', false)),
      legacyHeaders: mostly(fc.boolean()),
      skipSuccessfulRequests: mostly(fc.boolean()),
      skipFailedRequests: mostly(fc.boolean()),
      trustProxy: mostly(fc.oneof(fc.boolean(), fc.integer({ min: 0, max: 3 }))),
      ipv6Subnet: mostly(fc.integer({ min: 1, max: 128 })),
    },
    { requiredKeys: [] },
  )
  const requestArbitrary = fc.record({
    ip: fc.option(fc.constantFrom('203.0.113.7', '::ffff:203.0.113.7', '2001:db8::1', 'fe80::1%eth0', 'nonsense', ''), {
      nil: undefined,
    }),
    forwardedFor: fc.option(fc.constantFrom('198.51.100.1', '198.51.100.1, 10.0.0.1', 'garbage,,'), { nil: undefined }),
    status: fc.constantFrom(200, 404, 500),
  })

  it('either throw a TypeError at setup or at a request, or answer with well-formed headers (2,000 cases)', async () => {
    const { rateLimit } = await import('../adapters/fetch.js')
    let answered = 0
    await fc.assert(
      fc.asyncProperty(
        httpOptions,
        fc.array(requestArbitrary, { minLength: 1, maxLength: 4 }),
        async (options, requests) => {
          let limit: ReturnType<typeof rateLimit>
          try {
            limit = rateLimit({ ...options, prefix: uniquePrefix('http-fuzz') } as never)
          } catch (error) {
            expect(error).toBeInstanceOf(TypeError)
            return
          }
          for (const { ip, forwardedFor, status } of requests) {
            const headers = forwardedFor === undefined ? undefined : { 'x-forwarded-for': forwardedFor }
            const request = new Request('http://localhost/', headers && { headers })
            let refused: Response | undefined
            try {
              refused = await limit(request, { ip })
            } catch (error) {
              expect(error, String(error)).toBeInstanceOf(TypeError)
              continue
            }
            answered++
            const response = refused ?? limit.finish(request, new Response('ok', { status }))
            const retryAfter = response.headers.get('retry-after')
            // Every refusal says when to come back, in whole seconds; no answered request does.
            expect(retryAfter !== null, 'Retry-After exactly on refusals').toBe(refused !== undefined)
            if (refused) expect(refused.status).toBeGreaterThanOrEqual(400)
            if (retryAfter !== null) expect(retryAfter).toMatch(/^\d+$/)
            // The partition key is base64 (a Byte Sequence): "NaN" may be three of its characters.
            for (const [name, value] of response.headers)
              if (/ratelimit/i.test(name))
                expect(value.replace(/;pk=:[A-Za-z0-9+/=]*:/g, ''), name).not.toMatch(
                  /NaN|Infinity|undefined|(^|[=;,\s])-\d/,
                )
          }
        },
      ),
      { numRuns: 2_000 },
    )
    console.info(`fuzz (fetch guard): ${answered} requests answered`)
    expect(answered).toBeGreaterThan(1_000)
    expect(unhandled).toEqual([])
  })
})
