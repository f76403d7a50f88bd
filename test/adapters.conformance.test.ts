// The one conformance suite of the HTTP adapters: the same behaviour, options, defaults and headers
// from every adapter, driven through the harnesses in helpers/adapters.ts.
import { parseDictionary, parseList, serializeDictionary, serializeList } from 'structured-headers'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { fixedWindow, MemoryStore, RateLimiter, RedisStore } from '../src/index.js'
import { CLIENT_IP, harnesses, type Mount, type Reply, type TestApp } from './helpers/adapters.js'
import { connectStandalone, uniquePrefix } from './helpers/redis.js'

const HOUR = 3_600_000

/** `RateLimit-Policy` and `RateLimit` (draft-8), parsed, checked to be canonical, by policy name. */
function draft8(reply: Reply): {
  policies: Map<string, Map<string, unknown>>
  limits: Map<string, Map<string, unknown>>
} {
  const parse = (field: string) => {
    const text = reply.headers.get(field)
    expect(text, field).toBeTypeOf('string')
    const list = parseList(text as string)
    expect(serializeList(list), `${field} is canonical`).toBe(text)
    return new Map(
      list.map(([name, parameters]) => {
        expect(name, `${field} names are Strings`).toBeTypeOf('string')
        return [name as string, parameters as Map<string, unknown>]
      }),
    )
  }
  const policies = parse('RateLimit-Policy')
  const limits = parse('RateLimit')
  for (const [name, parameters] of policies) {
    for (const key of ['q', 'w']) expect(Number.isSafeInteger(parameters.get(key)), `${name} ${key}`).toBe(true)
    expect(parameters.get('pk')).toBeInstanceOf(ArrayBuffer)
  }
  for (const [name, parameters] of limits) {
    expect(policies.has(name), `${name} is in RateLimit-Policy`).toBe(true)
    for (const key of ['r', 't']) expect(Number.isSafeInteger(parameters.get(key)), `${name} ${key}`).toBe(true)
  }
  return { policies, limits }
}

/** The `r` of the one policy in `RateLimit`. */
function remainingOf(reply: Reply): number {
  const [parameters] = draft8(reply).limits.values()
  return parameters?.get('r') as number
}

function integer(reply: Reply, field: string): number {
  const text = reply.headers.get(field)
  expect(text, field).toMatch(/^\d+$/)
  return Number(text)
}

describe.each(harnesses)('the $name adapter', (harness) => {
  let app: TestApp | undefined
  const build = async (...mounts: Mount[]): Promise<TestApp> => {
    app = await harness.build(mounts)
    return app
  }
  const only = (options: Record<string, unknown>) => build({ path: '/a', options })
  const fromHeader = (name: string) => (request: unknown) => harness.header(request, name)

  // Decisions on the memory store follow Date.now(): frozen one second into an hour, no window edge is crossed.
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: Math.ceil(Date.now() / HOUR) * HOUR + 1_000 })
  })
  afterAll(() => {
    vi.useRealTimers()
  })
  afterEach(async () => {
    await app?.close()
    app = undefined
  })

  it('sends draft-8 headers by default: named policies, Integer q/w/r/t, a pk, canonical fields', async () => {
    const client = await only({ limit: 5, windowMs: HOUR })
    const reply = await client.get('/a/ok')
    expect(reply.status).toBe(200)
    const { policies, limits } = draft8(reply)
    expect([...policies.keys()]).toEqual(['5-per-3600s'])
    expect(Object.fromEntries(policies.get('5-per-3600s') ?? [])).toMatchObject({ q: 5, w: 3600 })
    expect(Object.fromEntries(limits.get('5-per-3600s') ?? [])).toMatchObject({ r: 4, t: 3599 })
    expect(policies.get('5-per-3600s')?.has('qu')).toBe(false)
    expect(reply.headers.get('RateLimit-Policy')).toMatch(/^"5-per-3600s";q=5;w=3600;pk=:[A-Za-z0-9+/]+=*:$/)
  })

  it('counts r down and exposes the same decision to the route', async () => {
    const client = await only({ limit: 5, windowMs: HOUR })
    for (const remaining of [4, 3, 2, 1, 0]) {
      const reply = await client.get('/a/ok')
      expect(remainingOf(reply)).toBe(remaining)
      expect(JSON.parse(reply.text).rateLimit).toMatchObject({ allowed: true, limit: 5, remaining })
    }
  })

  it('refuses with 429, Retry-After >= t, the headers and an RFC 9457 problem', async () => {
    const client = await only({ limit: 2, windowMs: HOUR })
    await client.get('/a/ok')
    await client.get('/a/ok')
    const reply = await client.get('/a/ok')
    expect(reply.status).toBe(429)
    const t = draft8(reply).limits.get('2-per-3600s')?.get('t') as number
    expect(remainingOf(reply)).toBe(0)
    expect(integer(reply, 'Retry-After')).toBeGreaterThanOrEqual(t)
    expect(integer(reply, 'Retry-After')).toBe(3599)
    expect(reply.headers.get('Content-Type')).toMatch(/^application\/problem\+json/)
    expect(JSON.parse(reply.text)).toMatchObject({
      type: 'https://iana.org/assignments/http-problem-types#quota-exceeded',
      title: expect.any(String),
      status: 429,
      'violated-policies': ['2-per-3600s'],
    })
  })

  it('names every policy of a limiter and the violated one when refusing', async () => {
    const limiter = new RateLimiter({
      policy: [fixedWindow({ limit: 3, windowMs: 1_000, name: 'burst' }), fixedWindow({ limit: 2, windowMs: HOUR })],
    })
    const client = await only({ limiter })
    expect([...draft8(await client.get('/a/ok')).policies.keys()]).toEqual(['burst', '2-per-3600s'])
    await client.get('/a/ok')
    const refused = await client.get('/a/ok')
    expect(refused.status).toBe(429)
    expect(JSON.parse(refused.text)['violated-policies']).toEqual(['2-per-3600s'])
    expect(draft8(refused).limits.get('burst')?.get('r')).toBe(1)
    expect(integer(refused, 'Retry-After')).toBeGreaterThanOrEqual(
      draft8(refused).limits.get('2-per-3600s')?.get('t') as number,
    )
  })

  it('sends draft-7 headers: RateLimit-Policy 5;w=3600 and the RateLimit dictionary', async () => {
    const client = await only({ limit: 5, windowMs: HOUR, standardHeaders: 'draft-7' })
    const reply = await client.get('/a/ok')
    expect(reply.headers.get('RateLimit-Policy')).toBe('5;w=3600')
    const text = reply.headers.get('RateLimit') as string
    const dictionary = parseDictionary(text)
    expect(serializeDictionary(dictionary)).toBe(text)
    expect(Object.fromEntries([...dictionary].map(([key, [value]]) => [key, value]))).toEqual({
      limit: 5,
      remaining: 4,
      reset: 3599,
    })
  })

  it('sends draft-6 headers: RateLimit-Limit, -Remaining, -Reset and RateLimit-Policy', async () => {
    const client = await only({ limit: 5, windowMs: HOUR, standardHeaders: 'draft-6' })
    const reply = await client.get('/a/ok')
    expect(reply.headers.get('RateLimit-Policy')).toBe('5;w=3600')
    expect([integer(reply, 'RateLimit-Limit'), integer(reply, 'RateLimit-Remaining')]).toEqual([5, 4])
    expect(integer(reply, 'RateLimit-Reset')).toBe(3599)
    expect(reply.headers.has('RateLimit')).toBe(false)
  })

  it('sends legacy X-RateLimit headers with Reset in epoch seconds, and no standard ones when false', async () => {
    const client = await only({ limit: 5, windowMs: HOUR, standardHeaders: false, legacyHeaders: true })
    const reply = await client.get('/a/ok')
    expect([integer(reply, 'X-RateLimit-Limit'), integer(reply, 'X-RateLimit-Remaining')]).toEqual([5, 4])
    expect(integer(reply, 'X-RateLimit-Reset')).toBe(Math.ceil((Date.now() + 3_599_000) / 1000))
    expect(reply.headers.has('RateLimit')).toBe(false)
    expect(reply.headers.has('RateLimit-Policy')).toBe(false)
  })

  it('sends no rate limit headers at all with standardHeaders false, yet still Retry-After on a 429', async () => {
    const client = await only({ limit: 1, windowMs: HOUR, standardHeaders: false })
    const allowed = await client.get('/a/ok')
    const refused = await client.get('/a/ok')
    for (const reply of [allowed, refused])
      for (const name of ['RateLimit', 'RateLimit-Policy', 'RateLimit-Limit', 'X-RateLimit-Limit'])
        expect(reply.headers.has(name), name).toBe(false)
    expect(refused.status).toBe(429)
    expect(integer(refused, 'Retry-After')).toBe(3599)
  })

  it('charges the cost of each request, from a number or a function of the request', async () => {
    const client = await build(
      { path: '/a', options: { limit: 10, windowMs: HOUR, cost: 3 } },
      {
        path: '/b',
        options: { limit: 10, windowMs: HOUR, cost: (request: unknown) => Number(harness.header(request, 'x-cost')) },
      },
    )
    expect(remainingOf(await client.get('/a/ok'))).toBe(7)
    expect(remainingOf(await client.get('/b/ok', { 'x-cost': '4' }))).toBe(6)
    expect(remainingOf(await client.get('/b/ok', { 'x-cost': '0' }))).toBe(6)
    const refused = await client.get('/b/ok', { 'x-cost': '7' })
    expect(refused.status).toBe(429)
    expect(remainingOf(refused)).toBe(6)
  })

  it('refuses a cost above the limit with Retry-After of the whole window', async () => {
    const client = await only({ limit: 5, windowMs: HOUR, cost: 6 })
    const reply = await client.get('/a/ok')
    expect(reply.status).toBe(429)
    expect(integer(reply, 'Retry-After')).toBe(3600)
  })

  it('names the quota unit as qu when it is not requests', async () => {
    const client = await only({ limit: 1_000, windowMs: HOUR, cost: 100, quotaUnit: 'content-bytes' })
    const { policies } = draft8(await client.get('/a/ok'))
    expect(policies.get('1000-per-3600s')?.get('qu')).toBe('content-bytes')
  })

  it('lets skipped requests through uncounted and without headers', async () => {
    const client = await only({
      limit: 1,
      windowMs: HOUR,
      skip: (request: unknown) => harness.header(request, 'x-skip') === 'yes',
    })
    for (let attempt = 0; attempt < 3; attempt++) {
      const skipped = await client.get('/a/ok', { 'x-skip': 'yes' })
      expect(skipped.status).toBe(200)
      expect(skipped.headers.has('RateLimit')).toBe(false)
      expect(JSON.parse(skipped.text).rateLimit).toBeNull()
    }
    expect(remainingOf(await client.get('/a/ok'))).toBe(0)
  })

  it('keys clients by keyGenerator, with a distinct pk per client', async () => {
    const client = await only({ limit: 2, windowMs: HOUR, keyGenerator: fromHeader('x-user') })
    const ann = await client.get('/a/ok', { 'x-user': 'ann' })
    await client.get('/a/ok', { 'x-user': 'ann' })
    expect((await client.get('/a/ok', { 'x-user': 'ann' })).status).toBe(429)
    const bob = await client.get('/a/ok', { 'x-user': 'bob' })
    expect(remainingOf(bob)).toBe(1)
    const pk = (reply: Reply) => Buffer.from(draft8(reply).limits.get('2-per-3600s')?.get('pk') as ArrayBuffer)
    expect(pk(ann).equals(pk(bob))).toBe(false)
  })

  it('keys clients by IP by default: each address its own quota, whatever else the request says', async () => {
    const client = await only({ limit: 1, windowMs: HOUR })
    expect(JSON.parse((await client.get('/a/ok', {}, '127.0.0.2')).text).rateLimit.remaining).toBe(0)
    expect((await client.get('/a/ok', { 'x-user': 'another header changes nothing' }, '127.0.0.2')).status).toBe(429)
    expect((await client.get('/a/ok', {}, '127.0.0.3')).status).toBe(200)
    expect((await client.get('/a/ok', {}, '127.0.0.3')).status).toBe(429)
  })

  it('answers refusals with the handler, rate limit headers and Retry-After included', async () => {
    const client = await only({ limit: 1, windowMs: HOUR, handler: harness.teapot })
    await client.get('/a/ok')
    const reply = await client.get('/a/ok')
    expect([reply.status, reply.text]).toEqual([418, 'teapot'])
    expect(remainingOf(reply)).toBe(0)
    expect(integer(reply, 'Retry-After')).toBe(3599)
  })

  it('answers refusals with message text, a JSON object or a function, and statusCode', async () => {
    const client = await build(
      { path: '/a', options: { limit: 1, windowMs: HOUR, message: 'slow down', statusCode: 503 } },
      {
        path: '/b',
        options: {
          limit: 1,
          windowMs: HOUR,
          message: (_: unknown, result: { limit: number }) => ({ max: result.limit }),
        },
      },
    )
    await client.get('/a/ok')
    const text = await client.get('/a/ok')
    expect([text.status, text.text]).toEqual([503, 'slow down'])
    expect(text.headers.get('Content-Type')).toMatch(/^text\/plain/)
    await client.get('/b/ok')
    const json = await client.get('/b/ok')
    expect([json.status, JSON.parse(json.text)]).toEqual([429, { max: 1 }])
    expect(json.headers.get('Content-Type')).toMatch(/^application\/json/)
  })

  it('refunds failed requests under skipFailedRequests and successful ones under skipSuccessfulRequests', async () => {
    const failing = new RateLimiter({ policy: fixedWindow({ limit: 3, windowMs: HOUR }) })
    const succeeding = new RateLimiter({ policy: fixedWindow({ limit: 3, windowMs: HOUR }) })
    const client = await build(
      { path: '/a', options: { limiter: failing, skipFailedRequests: true } },
      { path: '/b', options: { limiter: succeeding, skipSuccessfulRequests: true } },
    )
    const key = CLIENT_IP
    for (let request = 0; request < 5; request++) expect((await client.get('/a/fail')).status).toBe(500)
    await vi.waitFor(async () => expect((await failing.peek(key)).remaining).toBe(3))
    expect(remainingOf(await client.get('/a/ok'))).toBe(2)
    await client.get('/b/ok')
    await vi.waitFor(async () => expect((await succeeding.peek(key)).remaining).toBe(3))
    expect(remainingOf(await client.get('/b/fail'))).toBe(2)
    await vi.waitFor(async () => expect((await succeeding.peek(key)).remaining).toBe(2))
  })

  it('counts a 4xx answer as failed by default (requestWasSuccessful: status < 400): skipFailedRequests refunds it', async () => {
    const limiter = new RateLimiter({ policy: fixedWindow({ limit: 2, windowMs: HOUR }) })
    const client = await only({ limiter, skipFailedRequests: true })
    for (let request = 0; request < 4; request++) {
      expect((await client.get('/a/missing')).status).toBe(404)
      await vi.waitFor(async () => expect((await limiter.peek(CLIENT_IP)).remaining).toBe(2))
    }
    expect(remainingOf(await client.get('/a/ok'))).toBe(1)
  })

  it('asks requestWasSuccessful which requests succeeded', async () => {
    const limiter = new RateLimiter({ policy: fixedWindow({ limit: 3, windowMs: HOUR }) })
    const requestWasSuccessful = (_: unknown, response: unknown) => harness.status(response) === 500
    const client = await only({ limiter, skipSuccessfulRequests: true, requestWasSuccessful })
    await client.get('/a/fail')
    await vi.waitFor(async () => expect((await limiter.peek(CLIENT_IP)).remaining).toBe(3))
    await client.get('/a/ok')
    await vi.waitFor(async () => expect((await limiter.peek(CLIENT_IP)).remaining).toBe(2))
  })

  it('gives two limiters on two routes of one store their own quotas by prefix, and one quota without', async () => {
    const store = new MemoryStore()
    const options = { store, limit: 1, windowMs: HOUR }
    const apart = await build(
      { path: '/a', options: { ...options, prefix: 'a' } },
      { path: '/b', options: { ...options, prefix: 'b' } },
    )
    expect((await apart.get('/a/ok')).status).toBe(200)
    expect((await apart.get('/a/ok')).status).toBe(429)
    expect((await apart.get('/b/ok')).status).toBe(200)
    expect((await apart.get('/b/ok')).status).toBe(429)
    await apart.close()
    const shared = await build(
      { path: '/a', options: { ...options, prefix: 'c' } },
      { path: '/b', options: { ...options, prefix: 'c' } },
    )
    expect((await shared.get('/a/ok')).status).toBe(200)
    expect((await shared.get('/b/ok')).status).toBe(429)
  })

  describe('on a RedisStore', () => {
    const store = new RedisStore({ client: connectStandalone() })

    it('decides the same flow: r counting down, 429, refunds, quotas apart by prefix', async () => {
      const policy = fixedWindow({ limit: 3, windowMs: HOUR })
      const limiter = new RateLimiter({ store, policy, prefix: uniquePrefix(`${harness.name}-a`) })
      const client = await build(
        { path: '/a', options: { limiter, skipFailedRequests: true } },
        { path: '/b', options: { store, limit: 3, windowMs: HOUR, prefix: uniquePrefix(`${harness.name}-b`) } },
      )
      expect([remainingOf(await client.get('/a/ok')), remainingOf(await client.get('/a/ok'))]).toEqual([2, 1])
      expect(remainingOf(await client.get('/a/fail'))).toBe(0)
      await vi.waitFor(async () => expect((await limiter.peek(CLIENT_IP)).remaining).toBe(1))
      expect(remainingOf(await client.get('/a/ok'))).toBe(0)
      const refused = await client.get('/a/ok')
      expect(refused.status).toBe(429)
      const t = draft8(refused).limits.get('3-per-3600s')?.get('t') as number
      expect(integer(refused, 'Retry-After')).toBeGreaterThanOrEqual(t)
      expect(JSON.parse(refused.text)['violated-policies']).toEqual(['3-per-3600s'])
      expect(remainingOf(await client.get('/b/ok'))).toBe(2)
    })
  })
})
