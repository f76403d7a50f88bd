import { describe, expect, it } from 'vitest'
import { rateLimit as expressRateLimit } from '../adapters/express.js'
import { rateLimit as fastifyRateLimit } from '../adapters/fastify.js'
import { rateLimit as fetchRateLimit } from '../adapters/fetch.js'
import { rateLimit as honoRateLimit } from '../adapters/hono.js'
import { rateLimit as koaRateLimit } from '../adapters/koa.js'
import { policyByName } from '../src/algorithms/by-name.js'
import { RequestFlow } from '../src/http/flow.js'
import { fixedWindow, MemoryStore, RateLimiter, RateLimitOptionsError } from '../src/index.js'

type Factory = (options?: Record<string, unknown>) => unknown
const adapters: [string, Factory][] = [
  ['express', expressRateLimit as Factory],
  ['koa', koaRateLimit as Factory],
  ['hono', honoRateLimit as Factory],
  ['fastify', fastifyRateLimit as Factory],
  ['fetch', fetchRateLimit as Factory],
]

/** The RateLimitOptionsError `build` throws; fails the test when it throws none. */
function thrownBy(build: () => unknown): RateLimitOptionsError {
  try {
    build()
  } catch (error) {
    expect(error).toBeInstanceOf(RateLimitOptionsError)
    expect((error as RateLimitOptionsError).code).toBe('ERR_RATE_LIMIT_OPTIONS')
    return error as RateLimitOptionsError
  }
  throw new Error('expected a RateLimitOptionsError')
}

const fn = () => 'x'

function twoPolicies(): RateLimiter {
  const second = fixedWindow({ limit: 10, windowMs: 1_000, name: 'second' })
  return new RateLimiter({ policy: [fixedWindow({ limit: 100, windowMs: 60_000 }), second] })
}

describe.each(adapters)('rateLimit() of %s', (name, rateLimit) => {
  it('rejects an unknown option at setup, naming it and the adapter', () => {
    const { message } = thrownBy(() => rateLimit({ windowMS: 1_000 }))
    expect(message).toMatch(
      /^Unknown rateLimit\(\) \(atomic-ratelimit\/\w+\) option `windowMS`; expected one of limit, /,
    )
    expect(message).toContain(name)
  })

  it.each<[Record<string, unknown>, string, RegExp?]>([
    [{ limit: -1 }, 'limit', /got -1$/],
    [{ limit: null }, 'limit', /got null$/],
    [{ windowMs: 0 }, 'windowMs', /got 0$/],
    [
      { algorithm: 'leaky-bucket' },
      'algorithm',
      /one of 'fixed-window', 'sliding-window', 'token-bucket', 'gcra', got "leaky-bucket"$/,
    ],
    [{ store: {} }, 'store'],
    [{ prefix: '' }, 'prefix'],
    [{ limiter: {} }, 'limiter', /RateLimiter, got an object$/],
    [{ limiter: new RateLimiter(), limit: 5 }, 'limit', /left out when `limiter` is given/],
    [{ limiter: new RateLimiter(), store: new MemoryStore() }, 'store', /left out/],
    [{ limiter: new RateLimiter(), windowMs: 1_000 }, 'windowMs', /left out when `limiter` is given/],
    [{ limiter: twoPolicies(), limit: () => 5 }, 'limit', /a `limiter` of one policy .* got 2 policies$/],
    [{ keyGenerator: 'ip' }, 'keyGenerator'],
    [{ cost: -1 }, 'cost'],
    [{ cost: 1.5 }, 'cost'],
    [{ cost: null }, 'cost'],
    [{ skip: true }, 'skip'],
    [{ handler: 1 }, 'handler'],
    [{ message: 5 }, 'message'],
    [{ message: null }, 'message'],
    [{ message: 'no', handler: fn }, 'message', /only one of `handler` and `message`/],
    [{ statusCode: 200 }, 'statusCode', /from 400 of at most 599, got 200$/],
    [{ standardHeaders: true }, 'standardHeaders', /'draft-8', 'draft-7', 'draft-6' or false, got true$/],
    [{ standardHeaders: 'draft-9' }, 'standardHeaders'],
    [{ legacyHeaders: 'yes' }, 'legacyHeaders'],
    [{ skipSuccessfulRequests: 1 }, 'skipSuccessfulRequests'],
    [{ skipFailedRequests: null }, 'skipFailedRequests'],
    [{ requestWasSuccessful: 1 }, 'requestWasSuccessful'],
    [{ allowList: ['192.0.2.1', 42] }, 'allowList', /an array of non-empty strings or a function, got /],
    [{ denyList: ['192.0.2.1', ''] }, 'denyList'],
    [{ denyList: '192.0.2.1' }, 'denyList'],
    [{ ipv6Subnet: 0 }, 'ipv6Subnet'],
    [{ ipv6Subnet: 129 }, 'ipv6Subnet'],
    [{ quotaUnit: 'Bytes' }, 'quotaUnit'],
  ])('rejects %o naming `%s`', (options, option, detail) => {
    const { message } = thrownBy(() => rateLimit(options))
    expect(message).toContain(`\`${option}\``)
    if (detail) expect(message).toMatch(detail)
  })

  it('rejects options that are not an object', () => {
    expect(thrownBy(() => rateLimit(null as never)).message).toMatch(/options to be an object, got null$/)
  })

  it('takes trustProxy only where the framework has no proxy setting of its own', () => {
    if (name === 'hono' || name === 'fetch') {
      expect(() => rateLimit({ trustProxy: 2 })).not.toThrow()
      expect(thrownBy(() => rateLimit({ trustProxy: 'yes' })).message).toMatch(
        /`trustProxy` to be a boolean or a number/,
      )
    } else expect(thrownBy(() => rateLimit({ trustProxy: 1 })).message).toMatch(/Unknown .* option `trustProxy`/)
  })
})

describe('the shared option defaults', () => {
  it('limit 100 per 60 s, fixed window, prefix rl, draft-8, no legacy headers, 429, IPv6 /56, requests', () => {
    const { options } = new RequestFlow({}, { subject: 'test', statusOf: () => 200, proxyHint: '' })
    expect(options.limiter.policies).toMatchObject([{ algorithm: 'fixed-window', limit: 100, windowMs: 60_000 }])
    expect(options).toMatchObject({
      cost: 1,
      statusCode: 429,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      skipSuccessfulRequests: false,
      skipFailedRequests: false,
      ipv6Subnet: 56,
      quotaUnit: 'requests',
      trustProxy: false,
    })
    expect(options.limiter.prefix).toBe('rl')
  })

  it.each(['fixed-window', 'sliding-window', 'token-bucket', 'gcra'])('makes the %s algorithm by name', (algorithm) => {
    expect(policyByName(algorithm, { limit: 3, windowMs: 1_000 })).toMatchObject({
      algorithm,
      limit: 3,
      windowMs: 1_000,
    })
  })
})

describe('a ready limiter with per-request numbers', () => {
  it('decides each request under its own limit and window, in the policy the limiter named', async () => {
    const limiter = new RateLimiter({ policy: fixedWindow({ limit: 1, windowMs: 60_000, name: 'plan' }) })
    const limit = fetchRateLimit({
      limiter,
      limit: (request: Request) => Number(request.headers.get('x-limit')),
      windowMs: async () => 30_000,
    })
    const asked = (limitHeader: string) => new Request('http://app.test/', { headers: { 'x-limit': limitHeader } })
    const ip = { ip: '203.0.113.7' }
    expect(await limit(asked('2'), ip)).toBeUndefined()
    expect(await limit(asked('2'), ip)).toBeUndefined()
    const refused = await limit(asked('2'), ip)
    expect(refused?.status).toBe(429)
    expect(refused?.headers.get('RateLimit-Policy')).toMatch(/^"plan";q=2;w=30;/)
    // The same stored count, read under a higher limit.
    expect(await limit(asked('3'), ip)).toBeUndefined()
  })
})

describe('callbacks that answer wrongly', () => {
  const request = () => new Request('http://app.test/')

  it('rejects the request with an error naming cost', async () => {
    await expect(fetchRateLimit({ keyGenerator: fn, cost: () => -2 })(request())).rejects.toThrow(
      /Expected `cost` to return a non-negative integer, got -2/,
    )
  })

  it('passes the error to Express error handling', async () => {
    const middleware = expressRateLimit({ keyGenerator: () => 'client', cost: () => -1 })
    const error = await new Promise((resolve) => middleware({} as never, {} as never, resolve))
    expect(error).toBeInstanceOf(RateLimitOptionsError)
  })
})
