// What a user reads when an option is wrong (src/validate.ts, src/penalty-options.ts): the option's
// name, what it must be, and what arrived, shown as the user would recognise it.
import { describe, expect, it } from 'vitest'
import { policyByName } from '../src/algorithms/by-name.js'
import {
  fixedWindow,
  gcra,
  MemoryStore,
  RateLimiter,
  type RateLimiterOptions,
  slidingWindow,
  tokenBucket,
} from '../src/index.js'
import { assertExactProduct } from '../src/policy.js'
import { algorithmNames, policyOf } from './helpers/policies.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const limiterWith = (options: Partial<RateLimiterOptions>) =>
  new RateLimiter({ store: new MemoryStore(), policy: fixedWindow({ limit: 1, windowMs: MINUTE }), ...options })

describe('option errors', () => {
  it.each([
    ['a'.repeat(50), `got "${'a'.repeat(40)}…"`],
    ['7', 'got "7"'],
    [() => 1, 'got a function'],
    [[1], 'got an array'],
    [{}, 'got an object'],
    [null, 'got null'],
    [1.5, 'got 1.5'],
  ])('show what arrived: %j', (limit, shown) => {
    expect(() => fixedWindow({ limit: limit as number, windowMs: MINUTE })).toThrow(
      `Expected \`limit\` to be a positive integer of at most 99999999999999, got ${shown.slice(4)}`,
    )
  })

  it.each([
    [
      { afterRefusals: 1, growthFactor: 101 },
      'Expected `growthFactor` to be a positive integer of at most 100, got 101',
    ],
    [{ afterRefusals: 1, forgetAfterMs: -1 }, 'Expected `forgetAfterMs` to be a non-negative integer of at most'],
    [{ afterRefusals: 1, maxDurationMs: 1_000 }, 'Expected `maxDurationMs` to be an integer from 60000 of at most'],
    [{ afterRefusals: 0 }, 'Expected `afterRefusals` to be a positive integer of at most 1000000, got 0'],
    [{ afterRefusals: 1, durationMs: 0 }, 'Expected `durationMs` to be a positive integer of at most'],
    [5, 'Expected ban options to be an object, got 5'],
    [[], 'Expected ban options to be an object, got an array'],
    [
      { afterRefusals: 1, bogus: 1, other: 2 },
      'Unknown ban option `bogus`, `other`; expected one of afterRefusals, durationMs, growthFactor, maxDurationMs, forgetAfterMs',
    ],
  ])('name the ban option that is wrong: %j', (ban, message) => {
    expect(() => limiterWith({ ban: ban as never })).toThrow(message)
  })

  it('say only the lower bound of an option that has no upper one', async () => {
    await expect(limiterWith({}).consume('client', { cost: -1 })).rejects.toThrow(
      'Expected `cost` to be a non-negative integer, got -1',
    )
  })

  it.each(['continueExceeding', 'countRefusals'])('name %s when it is not a boolean', (flag) => {
    expect(() => limiterWith({ [flag]: 'yes' })).toThrow(`Expected \`${flag}\` to be a boolean, got "yes"`)
  })
})

describe('algorithm errors', () => {
  it('name the anchors a fixed window takes', () => {
    expect(() => fixedWindow({ limit: 1, windowMs: MINUTE, anchor: 'first' as 'epoch' })).toThrow(
      `Expected \`anchor\` to be 'epoch' or 'first-request', got "first"`,
    )
  })

  it('refuse an anchor with any algorithm but the fixed window, and name the algorithms', () => {
    expect(() => policyByName('gcra', { limit: 1, windowMs: MINUTE, anchor: 'epoch' })).toThrow(
      `Expected \`anchor\` only with algorithm 'fixed-window', got "gcra"`,
    )
    expect(() => policyByName(7, { limit: 1, windowMs: MINUTE })).toThrow(
      `Expected \`algorithm\` to be one of 'fixed-window', 'sliding-window', 'token-bucket', 'gcra', got 7`,
    )
    // An array of one name reads as that name wherever it is made a string: it is still no name.
    expect(() => policyByName(['gcra'], { limit: 1, windowMs: MINUTE })).toThrow(
      `Expected \`algorithm\` to be one of 'fixed-window', 'sliding-window', 'token-bucket', 'gcra', got an array`,
    )
  })
})

describe('policy factories', () => {
  const TEN_YEARS = 10 * 365 * 86_400_000

  it('refuse numbers whose product the stores could not keep exact, naming the product', () => {
    expect(() => slidingWindow({ limit: 10 ** 14 - 1, windowMs: TEN_YEARS })).toThrow(
      /^Expected `limit` × `windowMs` to be at most 9007199254740991, got 3\.15\d*e\+25$/,
    )
    expect(() => tokenBucket({ limit: 1, windowMs: TEN_YEARS, burst: 10 ** 14 - 1 })).toThrow(
      /^Expected `burst` × `windowMs` to be at most 9007199254740991, got 3\.15\d*e\+25$/,
    )
    expect(() => gcra({ limit: 1, windowMs: TEN_YEARS, burst: 10 ** 9 })).toThrow(
      'Expected `burst` × `windowMs` / `limit` in µs to be at most 4503599627370496, got 3.1536e+23',
    )
  })

  it('take a product exactly at its bound, and refuse one past it', () => {
    expect(() => assertExactProduct(10, '`a` × `b`', 10)).not.toThrow()
    expect(() => assertExactProduct(11, '`a` × `b`', 10)).toThrow('Expected `a` × `b` to be at most 10, got 11')
  })

  it('name themselves when given options that are no object, and burst when it is wrong', () => {
    expect(() => fixedWindow(5 as never)).toThrow('Expected fixedWindow() options to be an object, got 5')
    expect(() => gcra(null as never)).toThrow('Expected gcra() options to be an object, got null')
    expect(() => tokenBucket({ limit: 1, windowMs: MINUTE, burst: 0 })).toThrow(
      'Expected `burst` to be a positive integer of at most 99999999999999, got 0',
    )
  })

  it.each(['', 'two words', 'x'.repeat(65), 'ünïcode', 'a:b', 7])('refuse the name %j', (name) => {
    expect(() => fixedWindow({ limit: 1, windowMs: MINUTE, name: name as string })).toThrow(
      'Expected `name` to be 1 to 64 letters, digits or any of _ . ~ / + -',
    )
  })

  it('take names of 1 to 64 of the characters allowed, and derive one from the numbers and burst', () => {
    for (const name of ['a', 'x'.repeat(64), 'api_v1.read~all/+-'])
      expect(fixedWindow({ limit: 1, windowMs: MINUTE, name }).name).toBe(name)
    expect(tokenBucket({ limit: 10, windowMs: MINUTE, burst: 20 }).name).toBe('10-per-60s-burst-20')
    expect(gcra({ limit: 10, windowMs: 1_500 }).name).toBe('10-per-1500ms')
  })

  it.each([
    [null, 'null'],
    [[fixedWindow({ limit: 1, windowMs: MINUTE }), undefined], 'undefined'],
    [
      { algorithm: 'fixed-window', name: 'mine', limit: 1, windowMs: MINUTE, burst: 1 },
      'a hand-made policy of algorithm "fixed-window"',
    ],
    [{ ...fixedWindow({ limit: 1, windowMs: MINUTE }), algorithm: 7 }, 'an object'],
  ])('are the only source of policies a limiter takes (%#)', (policy, got) => {
    expect(() => new RateLimiter({ store: new MemoryStore(), policy: policy as never })).toThrow(
      `Expected \`policy\` to come from a policy factory such as fixedWindow(), got ${got}`,
    )
  })

  it('name themselves when refusing an option they do not know', () => {
    const bogus = { limit: 1, windowMs: 1, bogus: 1 } as never
    expect(() => fixedWindow(bogus)).toThrow(
      'Unknown fixedWindow() option `bogus`; expected one of limit, windowMs, name, anchor',
    )
    expect(() => slidingWindow(bogus)).toThrow(
      'Unknown slidingWindow() option `bogus`; expected one of limit, windowMs, name',
    )
    expect(() => tokenBucket(bogus)).toThrow(
      'Unknown tokenBucket() option `bogus`; expected one of limit, windowMs, name, burst',
    )
    expect(() => gcra(bogus)).toThrow('Unknown gcra() option `bogus`; expected one of limit, windowMs, name, burst')
  })
})

describe('a request of cost 0', () => {
  it.each(algorithmNames)('leaves no client in a memory store (%s)', async (algorithm) => {
    const store = new MemoryStore()
    const limiter = new RateLimiter({ store, policy: policyOf(algorithm, { limit: 3, windowMs: MINUTE }) })
    expect(await limiter.consume('client', { cost: 0 })).toMatchObject({ allowed: true, remaining: 3 })
    expect(store.size).toBe(0)
  })
})

describe('ban defaults', () => {
  it('ban for the longest window of the policies', async () => {
    const policy = [fixedWindow({ limit: 1, windowMs: MINUTE }), fixedWindow({ limit: 100, windowMs: HOUR })]
    const limiter = new RateLimiter({ store: new MemoryStore(), policy, ban: { afterRefusals: 1 } })
    await limiter.consume('client')
    expect(await limiter.consume('client')).toMatchObject({ banned: true, retryAfterMs: HOUR })
  })
})
