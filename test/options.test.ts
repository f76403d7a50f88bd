import { Redis } from 'ioredis'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import {
  fixedWindow,
  HitCounterStore,
  MemoryStore,
  RateLimiter,
  type RateLimiterOptions,
  RateLimitOptionsError,
  RedisStore,
  type WindowPolicyOptions,
} from '../src/index.js'

/** Expects `build` to throw a TypeError whose message names `option` and matches `detail`. */
function expectOptionError(build: () => unknown, option: string, detail?: RegExp): void {
  let thrown: unknown
  try {
    build()
  } catch (error) {
    thrown = error
  }
  expect(thrown).toBeInstanceOf(TypeError)
  expect(thrown).toBeInstanceOf(RateLimitOptionsError)
  expect((thrown as RateLimitOptionsError).code).toBe('ERR_RATE_LIMIT_OPTIONS')
  expect((thrown as Error).message).toContain(`\`${option}\``)
  if (detail) expect((thrown as Error).message).toMatch(detail)
}

type OptionCase = [options: object, option: string, detail?: RegExp]

describe('policy factories', () => {
  it.each<OptionCase>([
    [{ limit: -1, windowMs: 1_000 }, 'limit', /got -1$/],
    [{ limit: 0, windowMs: 1_000 }, 'limit', /positive integer/],
    [{ limit: 1.5, windowMs: 1_000 }, 'limit', /got 1.5$/],
    [{ limit: Number.NaN, windowMs: 1_000 }, 'limit', /got NaN$/],
    [{ limit: '10', windowMs: 1_000 }, 'limit', /got "10"$/],
    [{ windowMs: 1_000 }, 'limit', /got undefined$/],
    [{ limit: 10, windowMs: 0 }, 'windowMs', /got 0$/],
    [{ limit: 10, windowMs: Number.POSITIVE_INFINITY }, 'windowMs', /got Infinity$/],
    [{ limit: 10, windowMs: 400 * 365 * 86_400_000 }, 'windowMs', /at most/],
    [{ limit: 10, windowMs: 1_000, name: 'has space' }, 'name', /got "has space"$/],
    [{ limit: 10, windowMs: 1_000, name: '' }, 'name'],
    [{ limit: 10, windowMs: 1_000, windowMS: 5 }, 'windowMS', /Unknown/],
  ])('rejects %o naming `%s`', (options, option, detail) => {
    expectOptionError(() => fixedWindow(options as unknown as WindowPolicyOptions), option, detail)
  })

  it('names a policy after its numbers unless told otherwise', () => {
    expect(fixedWindow({ limit: 100, windowMs: 60_000 }).name).toBe('100-per-60s')
    expect(fixedWindow({ limit: 5, windowMs: 1_500 }).name).toBe('5-per-1500ms')
    expect(fixedWindow({ limit: 5, windowMs: 1_000, name: 'login' }).name).toBe('login')
  })

  it('makes frozen policies', () => {
    expect(Object.isFrozen(fixedWindow({ limit: 1, windowMs: 1 }))).toBe(true)
  })
})

describe('RateLimiter options', () => {
  it.each<OptionCase>([
    [{ timeoutMs: 0 }, 'timeoutMs'],
    [{ timeoutMs: Number.NaN }, 'timeoutMs'],
    [{ timeoutMs: 2 ** 31 }, 'timeoutMs'],
    [{ prefix: '' }, 'prefix'],
    [{ prefix: 'a{b}' }, 'prefix'],
    [{ prefix: 7 }, 'prefix'],
    [{ onStoreError: 'retry' }, 'onStoreError'],
    [{ onError: 'log' }, 'onError'],
    [{ clock: Date.now() }, 'clock'],
    [{ store: {} }, 'store'],
    [{ policy: [] }, 'policy'],
    [{ policy: { algorithm: 'fixed-window', name: 'x', limit: 1, windowMs: 1, burst: 1 } }, 'policy'],
    [{ policy: { algorithm: 'leaky-bucket' } }, 'policy'],
    [{ policy: [fixedWindow({ limit: 1, windowMs: 1 }), fixedWindow({ limit: 1, windowMs: 1 })] }, 'policy', /twice/],
    [{ policies: [] }, 'policies', /Unknown/],
    [{ prefix: 'a}' }, 'prefix', /a non-empty string without \{ or \}, got "a\}"$/],
    [{ store: null }, 'store', /a Store such as new RedisStore\(\.\.\.\), got null$/],
    [{ store: { decide() {}, refund() {} } }, 'store'],
    [{ instances: 0, onStoreError: 'fallback' }, 'instances'],
    [{ instances: 2 }, 'instances', /only with onStoreError 'fallback', where it divides the limits$/],
    [{ instances: 2, onStoreError: 'deny' }, 'instances'],
    [{ onStoreError: 'retry' }, 'onStoreError', /'allow', 'deny' or 'fallback', got "retry"$/],
    [{ clock: 5 }, 'clock', /to be a function, got 5$/],
    [{ circuitBreaker: { threshold: 2 } }, 'threshold'],
    [{ circuitBreaker: { failureThreshold: 0 } }, 'failureThreshold'],
    [{ circuitBreaker: { cooldownMs: 2 ** 31 } }, 'cooldownMs'],
    [{ circuitBreaker: { onStateChange: 'log' } }, 'onStateChange'],
    [{ blockCache: { size: 5 } }, 'size'],
    [{ blockCache: { maxKeys: 0 } }, 'maxKeys'],
    [
      { countRefusals: true, store: { decide() {}, refund() {}, reset() {} } },
      'countRefusals',
      /a store that applies penalties/,
    ],
  ])('rejects %o naming `%s`', (options, option, detail) => {
    expectOptionError(() => new RateLimiter(options as unknown as RateLimiterOptions), option, detail)
  })

  it('rejects options that are not an object', () => {
    expect(() => new RateLimiter('fast' as unknown as RateLimiterOptions)).toThrow(RateLimitOptionsError)
  })

  it.each<[string, RateLimiterOptions]>([
    ['the longest timeoutMs', { timeoutMs: 2 ** 31 - 1 }],
    ['the shortest timeoutMs', { timeoutMs: 1 }],
    ['instances with the fallback store', { instances: 4, onStoreError: 'fallback' }],
    ['a breaker turned off', { circuitBreaker: false }],
    ['a breaker at its edges', { circuitBreaker: { failureThreshold: 1, cooldownMs: 2 ** 31 - 1 } }],
    ['a block cache of one key', { blockCache: { maxKeys: 1 } }],
    ['a block cache asked for on a memory store', { blockCache: true }],
  ])('takes %s', (_label, options) => {
    expect(() => new RateLimiter(options)).not.toThrow()
  })

  it('waits 250 ms for the store by default', async () => {
    const silent = { decide: () => new Promise<never>(() => {}), refund: async () => {}, reset: async () => {} }
    const told: unknown[] = []
    const result = await new RateLimiter({ store: silent, onError: (error) => told.push(error) }).consume('k')
    expect(result.degraded).toBe(true)
    expect((told[0] as Error).message).toBe('The rate limit store did not answer within 250 ms')
  })

  it('rejects a circuitBreaker or blockCache that is no object, naming it', () => {
    const build = (options: object) => () => new RateLimiter(options as RateLimiterOptions)
    expect(build({ circuitBreaker: 'on' })).toThrow('Expected circuitBreaker options to be an object, got "on"')
    expect(build({ blockCache: 'on' })).toThrow('Expected blockCache options to be an object, got "on"')
  })

  it('defaults to 100 per minute on a memory store', async () => {
    const limiter = new RateLimiter()
    expect(limiter.prefix).toBe('rl')
    expect(limiter.policies.map((policy) => policy.name)).toEqual(['100-per-60s'])
    expect(await limiter.consume('k')).toMatchObject({ allowed: true, limit: 100, remaining: 99, degraded: false })
  })
})

describe('call arguments', () => {
  const limiter = new RateLimiter()

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '2', null])(
    'rejects cost %s with a TypeError',
    async (cost) => {
      await expect(limiter.consume('k', { cost: cost as number })).rejects.toThrow(/`cost`/)
      await expect(limiter.peek('k', { cost: cost as number })).rejects.toBeInstanceOf(TypeError)
    },
  )

  it.each(['', 42, undefined, null, {}])('rejects key %o with a TypeError', async (key) => {
    await expect(limiter.consume(key as string)).rejects.toThrow(/`key`/)
    await expect(limiter.reset(key as string)).rejects.toBeInstanceOf(TypeError)
  })

  it.each([null, undefined, 'result', {}, { allowed: 'yes' }])(
    'rejects refunding %o, naming result',
    async (result) => {
      await expect(limiter.refund(result as never)).rejects.toThrow(
        /^Expected `result` to be a result of consume\(\), got /,
      )
    },
  )

  it('refunds nothing for a peek, nor for a consume of cost 0: the store is not asked', async () => {
    const memory = new MemoryStore()
    const refunds = vi.fn((refund: Parameters<MemoryStore['refund']>[0]) => memory.refund(refund))
    const store = {
      decide: (request: Parameters<MemoryStore['decide']>[0]) => memory.decide(request),
      refund: refunds,
      reset: memory.reset.bind(memory),
    }
    const spending = new RateLimiter({ store, policy: fixedWindow({ limit: 2, windowMs: 60_000 }), blockCache: false })
    await spending.consume('k')
    await spending.refund(await spending.peek('k'))
    await spending.refund(await spending.consume('k', { cost: 0 }))
    expect(refunds).not.toHaveBeenCalled()
    expect((await spending.peek('k')).remaining).toBe(1)
  })

  it('names consume in what it says of bad call options', async () => {
    await expect(limiter.consume('k', 5 as never)).rejects.toThrow('Expected consume options to be an object, got 5')
    await expect(limiter.peek('k', { weight: 2 } as never)).rejects.toThrow(
      'Unknown consume option `weight`; expected one of cost, limit, windowMs',
    )
  })

  it('refunds nothing for a result it did not charge: a denial, a copy, or one refunded already', async () => {
    const tight = new RateLimiter({ policy: fixedWindow({ limit: 2, windowMs: 60_000 }) })
    const charged = await tight.consume('k')
    await tight.consume('k')
    const denied = await tight.consume('k')
    await tight.refund(denied)
    await tight.refund({ ...charged })
    expect((await tight.peek('k')).remaining).toBe(0)
    await tight.refund(charged)
    await tight.refund(charged)
    expect((await tight.peek('k')).remaining).toBe(1)
  })

  it('rejects unknown consume options', async () => {
    await expect(limiter.consume('k', { weight: 2 } as never)).rejects.toThrow(/`weight`/)
  })

  it('rejects a clock that returns something other than milliseconds', async () => {
    const badClock = new RateLimiter({ clock: () => Number.NaN })
    await expect(badClock.consume('k')).rejects.toThrow(/`clock`/)
  })

  it.each([0, 2 ** 43])('takes a clock at %d ms, the ends of its range', async (nowMs) => {
    await expect(new RateLimiter({ clock: () => nowMs }).consume('k')).resolves.toMatchObject({ allowed: true })
  })

  it.each([-1, 2 ** 43 + 1, '1000'])('rejects a clock at %o, naming the range', async (nowMs) => {
    const outOfRange = new RateLimiter({ clock: () => nowMs as number })
    await expect(outOfRange.peek('k')).rejects.toThrow(/`clock`.* from 0 to 8796093022208/)
  })
})

/** An ioredis client that never connects: the store's options are checked before any call. */
function lazyClient(): Redis {
  const client = new Redis({ lazyConnect: true })
  onTestFinished(() => client.disconnect())
  return client
}

describe('store options', () => {
  it.each([
    [() => new MemoryStore({ maxKeys: 0 }), 'maxKeys'],
    [() => new MemoryStore({ size: 3 } as never), 'size'],
    [() => new RedisStore({ client: {} as never }), 'client'],
    [() => new RedisStore({} as never), 'client'],
  ])('rejects bad options naming the option (%#)', (build, option) => {
    expectOptionError(build, option)
  })

  it.each([
    [() => new MemoryStore(5 as never), 'Expected MemoryStore options to be an object, got 5'],
    [() => new MemoryStore({ size: 3 } as never), 'Unknown MemoryStore option `size`; expected one of maxKeys'],
    [() => new HitCounterStore([] as never), 'Expected HitCounterStore options to be an object, got an array'],
    [() => new RedisStore(5 as never), 'Expected RedisStore options to be an object, got 5'],
    [
      () => new RedisStore({ client: lazyClient(), coalesc: true } as never),
      'Unknown RedisStore option `coalesc`; expected one of client, scripts, coalesce',
    ],
    [
      () => new RedisStore({ client: lazyClient(), coalesce: 'yes' as never }),
      'Expected `coalesce` to be a boolean, got yes',
    ],
  ])('names the store whose options are wrong (%#)', (build, message) => {
    expect(build).toThrow(message)
  })
})
