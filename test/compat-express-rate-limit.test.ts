// atomic-ratelimit/compat/express-rate-limit driven as express-rate-limit's documentation describes
// its options, defaults, headers, bodies and request property, on a real Express server and a real
// HTTP client. Its stores, failures and helpers: compat-express-rate-limit-stores.test.ts; its
// validation checks: compat-express-rate-limit-validate.test.ts.
import type { Request, Response } from 'express'
import { describe, expect, it } from 'vitest'
import rateLimitDefault, {
  ipKeyGenerator,
  type Options,
  type RateLimitInfo,
  rateLimit,
} from '../compat/express-rate-limit.js'
import { RateLimitOptionsError } from '../src/index.js'
import { inARow, recordingLogger, serveExpress } from './helpers/express-apps.js'

const bodies = (responses: { body: string }[]) => responses.map((response) => JSON.parse(response.body))
const statuses = (responses: { statusCode: number }[]) => responses.map((response) => response.statusCode)

describe('the defaults of express-rate-limit', () => {
  it('lets 5 requests a minute through per client and answers the 6th with 429 and its message', async () => {
    const get = await serveExpress(rateLimit())
    const responses = await inARow(get, 6)
    expect(statuses(responses)).toEqual([200, 200, 200, 200, 200, 429])
    const refused = responses[5]
    expect(refused?.body).toBe('Too many requests, please try again later.')
    expect(refused?.headers['content-type']).toBe('text/html; charset=utf-8')
  })

  it('is the default export too', () => {
    expect(rateLimitDefault).toBe(rateLimit)
  })

  it('sends the legacy X-RateLimit headers, Reset in epoch seconds at the window end, and no standard ones', async () => {
    const get = await serveExpress(rateLimit())
    const before = Date.now()
    const { headers } = await get('/')
    expect(headers['x-ratelimit-limit']).toBe('5')
    expect(headers['x-ratelimit-remaining']).toBe('4')
    const resetSeconds = Number(headers['x-ratelimit-reset'])
    expect(resetSeconds).toBeGreaterThanOrEqual(Math.floor((before + 60_000) / 1000))
    expect(resetSeconds).toBeLessThanOrEqual(Math.ceil((Date.now() + 60_000) / 1000))
    expect(headers.ratelimit).toBeUndefined()
    expect(headers['ratelimit-policy']).toBeUndefined()
    expect(headers['retry-after']).toBeUndefined()
  })

  it('adds Retry-After to a refusal: the seconds until the window ends', async () => {
    const get = await serveExpress(rateLimit({ limit: 1 }))
    const [, refused] = await inARow(get, 2)
    expect(refused?.headers['retry-after']).toBe('60')
    expect(refused?.headers['x-ratelimit-remaining']).toBe('0')
  })

  it('puts limit, used, remaining, resetTime and key on req.rateLimit, with `current` hidden', async () => {
    let seen: RateLimitInfo | undefined
    const remember = (req: Request, _res: Response, next: () => void) => {
      next()
      seen = (req as Request & { rateLimit: RateLimitInfo }).rateLimit
    }
    const get = await serveExpress([rateLimit({ limit: 6 }), remember])
    const [first, second] = bodies(await inARow(get, 2))
    expect(first).toMatchObject({ limit: 6, used: 1, remaining: 5, key: '127.0.0.1' })
    expect(second).toMatchObject({ limit: 6, used: 2, remaining: 4, key: '127.0.0.1' })
    expect(new Date(second.resetTime).getTime()).toBeGreaterThan(Date.now() + 59_000)
    expect(seen?.resetTime).toBeInstanceOf(Date)
    expect((seen as RateLimitInfo & { current: number }).current).toBe(2)
    expect(Object.keys(seen ?? {})).not.toContain('current')
  })

  it('counts `used` past the limit on refusals, as a handler checking `used === limit + 1` expects', async () => {
    const firstRefusals: number[] = []
    const get = await serveExpress(
      rateLimit({
        limit: 2,
        handler: (req, res, _next, options) => {
          const { used, limit } = (req as Request & { rateLimit: RateLimitInfo }).rateLimit
          if (used === limit + 1) firstRefusals.push(used)
          res.status(options.statusCode).json({ used })
        },
      }),
    )
    const responses = await inARow(get, 5)
    expect(statuses(responses)).toEqual([200, 200, 429, 429, 429])
    expect(bodies(responses).map((body) => body.used)).toEqual([1, 2, 3, 4, 5])
    expect(firstRefusals).toEqual([3])
  })

  it("opens each client's window at its first request, and lets it in again windowMs later", async () => {
    const get = await serveExpress(rateLimit({ limit: 2, windowMs: 400 }))
    const started = Date.now()
    expect(statuses(await inARow(get, 3))).toEqual([200, 200, 429])
    await new Promise((resolve) => setTimeout(resolve, started + 450 - Date.now()))
    expect(statuses(await inARow(get, 3))).toEqual([200, 200, 429])
  })

  it('leaves the options object as it was given', () => {
    const options = { limit: 3 }
    rateLimit(options)
    expect(options).toStrictEqual({ limit: 3 })
  })

  it('reads options set to undefined as their defaults', async () => {
    const unset = { limit: undefined, message: undefined, legacyHeaders: undefined } as unknown as Partial<Options>
    const get = await serveExpress(rateLimit(unset))
    const responses = await inARow(get, 6)
    expect(statuses(responses)).toEqual([200, 200, 200, 200, 200, 429])
    expect(responses[5]?.body).toBe('Too many requests, please try again later.')
    expect(responses[0]?.headers['x-ratelimit-limit']).toBe('5')
  })
})

describe('limit', () => {
  it('takes the deprecated `max`, and `limit` over it', async () => {
    expect(statuses(await inARow(await serveExpress(rateLimit({ max: 1 })), 2))).toEqual([200, 429])
    expect(statuses(await inARow(await serveExpress(rateLimit({ max: 1, limit: 2 })), 3))).toEqual([200, 200, 429])
  })

  it('may be a function of the request and response, sync or async, called for each request', async () => {
    const seen: string[] = []
    const limit = async (req: Request, res: Response) => {
      seen.push(`${req.path} ${typeof res.setHeader}`)
      return Number(req.get('x-limit'))
    }
    const get = await serveExpress(rateLimit({ limit }))
    const asked = (value: string) => get('/', { 'x-limit': value })
    expect([(await asked('2')).statusCode, (await asked('2')).statusCode, (await asked('2')).statusCode]).toEqual([
      200, 200, 429,
    ])
    const upgraded = await asked('3')
    expect(upgraded.statusCode).toBe(200)
    expect(JSON.parse(upgraded.body)).toMatchObject({ limit: 3, used: 3, remaining: 0 })
    expect(seen).toEqual(['/ function', '/ function', '/ function', '/ function'])
  })

  it('refuses every request at 0, as express-rate-limit 7 and later do, and warns it changed', async () => {
    const { logger, warnings } = recordingLogger()
    const refusals: RateLimitInfo[] = []
    const handler: Options['handler'] = (req, res) => {
      refusals.push({ ...(req as Request & { rateLimit: RateLimitInfo }).rateLimit })
      res.status(429).end()
    }
    const get = await serveExpress(rateLimit({ limit: 0, logger, handler }))
    expect(statuses(await inARow(get, 3))).toEqual([429, 429, 429])
    expect(refusals.map(({ limit, used, remaining }) => ({ limit, used, remaining }))).toEqual([
      { limit: 0, used: 1, remaining: 0 },
      { limit: 0, used: 2, remaining: 0 },
      { limit: 0, used: 3, remaining: 0 },
    ])
    expect(warnings).toEqual(['WRN_ERL_MAX_ZERO'])
  })

  it('refuses every request whose limit function answers 0', async () => {
    const get = await serveExpress(rateLimit({ limit: (req) => (req.get('x-banned') ? 0 : 5), validate: false }))
    expect((await get('/', { 'x-banned': '1' })).statusCode).toBe(429)
    expect((await get('/')).statusCode).toBe(200)
  })

  it('is refused at setup when it is no number of requests', () => {
    expect(() => rateLimit({ limit: -1 })).toThrow(RateLimitOptionsError)
    expect(() => rateLimit({ limit: 1.5 })).toThrow(/`limit` to be a non-negative integer or a function, got 1.5/)
  })

  it('fails the request through Express when a limit function answers no number of requests', async () => {
    const get = await serveExpress(rateLimit({ limit: () => -3 }))
    const response = await get('/')
    expect(response.statusCode).toBe(500)
    expect(response.body).toMatch(/`limit` to return a non-negative integer, got -3/)
  })
})

describe('message, statusCode and handler', () => {
  it('sends a message object as JSON', async () => {
    const message = { error: { code: 'too-many-requests', message: 'Slow down.' } }
    const [, refused] = await inARow(await serveExpress(rateLimit({ limit: 1, message })), 2)
    expect(refused?.headers['content-type']).toMatch(/^application\/json/)
    expect(JSON.parse(refused?.body ?? '')).toEqual(message)
  })

  it('calls a message function, sync or async, with the request and response', async () => {
    const message = async (req: Request, res: Response) =>
      `limit ${(req as Request & { rateLimit: RateLimitInfo }).rateLimit.limit}, status ${res.statusCode}`
    const [, refused] = await inARow(await serveExpress(rateLimit({ limit: 1, message })), 2)
    expect(refused?.body).toBe('limit 1, status 429')
    const [, plain] = await inARow(await serveExpress(rateLimit({ limit: 1, message: () => 'Stop.' })), 2)
    expect(plain?.body).toBe('Stop.')
  })

  it('answers with statusCode', async () => {
    const [, refused] = await inARow(await serveExpress(rateLimit({ limit: 1, statusCode: 420 })), 2)
    expect(refused?.statusCode).toBe(420)
  })

  it('calls handler(req, res, next, options) with the resolved options, the figures already on req', async () => {
    let used: Partial<Options> = {}
    const handler: Options['handler'] = (req, res, _next, options) => {
      used = options
      res
        .status(options.statusCode)
        .json({ message: options.message, used: (req as Request & { rateLimit: RateLimitInfo }).rateLimit.used })
    }
    const [, refused] = await inARow(await serveExpress(rateLimit({ limit: 1, windowMs: 30_000, handler })), 2)
    expect(refused?.statusCode).toBe(429)
    expect(JSON.parse(refused?.body ?? '')).toEqual({ message: 'Too many requests, please try again later.', used: 2 })
    expect(used).toMatchObject({
      windowMs: 30_000,
      limit: 1,
      statusCode: 429,
      legacyHeaders: true,
      standardHeaders: false,
    })
    expect(used).toMatchObject({ requestPropertyName: 'rateLimit', passOnStoreError: false })
    // The default identifier is named where the headers are made: the options hold a given one only.
    expect(used.identifier).toBeUndefined()
  })

  it('lets a handler pass the request on with next()', async () => {
    const get = await serveExpress(rateLimit({ limit: 1, handler: (_req, _res, next) => next() }))
    expect(statuses(await inARow(get, 2))).toEqual([200, 200])
  })

  it('passes an error a handler throws to Express', async () => {
    const handler = () => {
      throw new Error('420: Enhance your calm')
    }
    const [, failed] = await inARow(await serveExpress(rateLimit({ limit: 1, handler })), 2)
    expect(failed?.statusCode).toBe(500)
    expect(failed?.body).toBe('error: 420: Enhance your calm')
  })
})

describe('headers', () => {
  it('sends none, not even Retry-After, with legacyHeaders and standardHeaders both off', async () => {
    const get = await serveExpress(rateLimit({ limit: 1, legacyHeaders: false, standardHeaders: false }))
    const [allowed, refused] = await inARow(get, 2)
    for (const response of [allowed, refused])
      expect(Object.keys(response?.headers ?? {}).filter((name) => /rate|retry/i.test(name))).toEqual([])
  })

  it('sends draft-6 for standardHeaders: true', async () => {
    const { headers } = await (await serveExpress(rateLimit({ standardHeaders: true, legacyHeaders: false })))('/')
    expect(headers['ratelimit-policy']).toBe('5;w=60')
    expect(headers['ratelimit-limit']).toBe('5')
    expect(headers['ratelimit-remaining']).toBe('4')
    expect(headers['ratelimit-reset']).toBe('60')
    expect(headers['x-ratelimit-limit']).toBeUndefined()
  })

  it('sends draft-7 combined RateLimit and RateLimit-Policy', async () => {
    const { headers } = await (await serveExpress(rateLimit({ standardHeaders: 'draft-7' })))('/')
    expect(headers['ratelimit-policy']).toBe('5;w=60')
    expect(headers.ratelimit).toBe('limit=5, remaining=4, reset=60')
    expect(headers['x-ratelimit-remaining']).toBe('4')
  })

  it.each([
    [5_000, 1, '1-in-5sec', 5],
    [60_000, 5, '5-in-1min', 60],
    [3_600_000, 6, '6-in-1hr', 3_600],
    [2 * 3_600_000, 5, '5-in-2hrs', 7_200],
    [86_400_000, 7, '7-in-1day', 86_400],
    [2 * 86_400_000, 8, '8-in-2days', 172_800],
  ])('names a %i ms window of %i in draft-8 as express-rate-limit does: %s', async (windowMs, limit, name, seconds) => {
    const get = await serveExpress(rateLimit({ windowMs, limit, standardHeaders: 'draft-8', legacyHeaders: false }))
    const { headers } = await get('/')
    expect(headers['ratelimit-policy']).toMatch(new RegExp(`^"${name}";q=${limit};w=${seconds};pk=:[\\w+/]{16}:$`))
    expect(headers.ratelimit).toMatch(new RegExp(`^"${name}";r=${limit - 1};t=${seconds};pk=:[\\w+/]{16}:$`))
  })

  it('names the draft-8 policy by identifier', async () => {
    const get = await serveExpress(rateLimit({ identifier: 'keep-calm', standardHeaders: 'draft-8' }))
    expect((await get('/')).headers.ratelimit).toMatch(/^"keep-calm";r=4;t=60;/)
  })

  it('refuses an identifier that cannot name a policy, or one that is a function', () => {
    expect(() => rateLimit({ identifier: 'keep calm' })).toThrow(/`identifier` to be 1 to 64 letters/)
    expect(() => rateLimit({ identifier: () => 'per-user' })).toThrow(/`identifier` to be a string/)
  })

  it('sends no standard headers for a draft it does not know, and logs it', async () => {
    const { logger, errors } = recordingLogger()
    const options = { standardHeaders: 'draft-9', legacyHeaders: false, logger } as unknown as Partial<Options>
    const { headers } = await (await serveExpress(rateLimit(options)))('/')
    expect(Object.keys(headers).filter((name) => /ratelimit/i.test(name))).toEqual([])
    expect(errors).toEqual(['ERR_ERL_HEADERS_UNSUPPORTED_DRAFT_VERSION'])
  })

  it('sends retryAfter, a number or a function of the request and response, as Retry-After', async () => {
    const [, fixed] = await inARow(await serveExpress(rateLimit({ limit: 1, retryAfter: 7 })), 2)
    expect(fixed?.headers['retry-after']).toBe('7')
    const retryAfter = async (req: Request) => Number(req.get('x-wait'))
    const get = await serveExpress(rateLimit({ limit: 1, retryAfter, standardHeaders: true }))
    await get('/')
    expect((await get('/', { 'x-wait': '11' })).headers['retry-after']).toBe('11')
  })
})

describe('requestPropertyName, skip and keyGenerator', () => {
  it('puts the figures under requestPropertyName, leaving req.rateLimit alone', async () => {
    const get = await serveExpress([
      rateLimit({ requestPropertyName: 'rateLimitInfo' }),
      (req, res) => {
        res.json({
          rateLimit: (req as { rateLimit?: unknown }).rateLimit ?? null,
          info: (req as { rateLimitInfo?: unknown }).rateLimitInfo,
        })
      },
    ])
    const body = JSON.parse((await get('/')).body)
    expect(body.rateLimit).toBeNull()
    expect(body.info).toMatchObject({ limit: 5, used: 1, remaining: 4 })
  })

  it('keeps two limiters with their own property names apart', async () => {
    const byKey = rateLimit({
      limit: 2,
      requestPropertyName: 'rateLimitKey',
      keyGenerator: (req) => String(req.query.key),
    })
    const global = rateLimit({ limit: 5, requestPropertyName: 'rateLimitGlobal', keyGenerator: () => 'global' })
    const get = await serveExpress([
      byKey,
      global,
      (req, res) => {
        const { rateLimitKey, rateLimitGlobal } = req as unknown as Record<string, RateLimitInfo>
        res.json([rateLimitKey?.remaining, rateLimitGlobal?.remaining])
      },
    ])
    const answers = []
    for (const key of [1, 2, 1, 2]) answers.push(JSON.parse((await get(`/?key=${key}`)).body))
    expect(answers).toEqual([
      [1, 4],
      [1, 3],
      [0, 2],
      [0, 1],
    ])
    expect((await get('/?key=1')).statusCode).toBe(429)
  })

  it('lets a request skip() returns true for through, uncounted and without headers', async () => {
    const skip = async (req: Request, res: Response) => req.query.skip === '1' && typeof res.setHeader === 'function'
    const get = await serveExpress(rateLimit({ limit: 1, skip }))
    expect((await get('/?skip=1')).headers['x-ratelimit-limit']).toBeUndefined()
    expect(statuses([await get('/?skip=1'), await get('/'), await get('/'), await get('/?skip=1')])).toEqual([
      200, 200, 429, 200,
    ])
  })

  it('passes an error skip() throws to Express', async () => {
    const skip = () => {
      throw new Error('skip failed')
    }
    expect((await (await serveExpress(rateLimit({ skip })))('/')).body).toBe('error: skip failed')
  })

  it('counts each key keyGenerator(req, res) returns apart, and shows it as `key`', async () => {
    const keyGenerator = (req: Request, res: Response) => `${req.query.key}-${typeof res.setHeader}`
    const get = await serveExpress(rateLimit({ limit: 2, keyGenerator }))
    const codes = []
    for (const key of [1, 1, 2, 1, 2, 2]) codes.push((await get(`/?key=${key}`)).statusCode)
    expect(codes).toEqual([200, 200, 200, 429, 200, 429])
    expect(JSON.parse((await get('/?key=3')).body).key).toBe('3-function')
  })
})

describe('the default key and ipKeyGenerator', () => {
  const behindOneProxy = (app: { set(name: string, value: unknown): unknown }) => app.set('trust proxy', 1)
  const from = (ip: string) => ({ 'x-forwarded-for': ip })

  it('keys IPv6 clients by their /56 network, or by ipv6Subnet', async () => {
    const by56 = await serveExpress(rateLimit({ limit: 1 }), behindOneProxy)
    expect((await by56('/', from('2001:db8:0:1::1'))).statusCode).toBe(200)
    const neighbour = await by56('/', from('2001:db8:0:2::7'))
    expect(neighbour.statusCode).toBe(429)
    const by64 = await serveExpress(rateLimit({ limit: 1, ipv6Subnet: 64 }), behindOneProxy)
    expect(JSON.parse((await by64('/', from('2001:db8:0:1::1'))).body).key).toBe('2001:db8:0:1::/64')
    expect((await by64('/', from('2001:db8:0:2::7'))).statusCode).toBe(200)
  })

  it('keys each IPv6 address apart with ipv6Subnet: false, and asks a subnet function per request', async () => {
    const whole = await serveExpress(rateLimit({ limit: 1, ipv6Subnet: false }), behindOneProxy)
    expect(JSON.parse((await whole('/', from('2001:db8::1'))).body).key).toBe('2001:db8::1')
    expect((await whole('/', from('2001:db8::2'))).statusCode).toBe(200)
    const ipv6Subnet = (req: Request) => (req.get('x-plan') === 'isp' ? 48 : 64)
    const byPlan = await serveExpress(rateLimit({ ipv6Subnet }), behindOneProxy)
    expect(JSON.parse((await byPlan('/', { ...from('2001:db8:1:2::1'), 'x-plan': 'isp' })).body).key).toBe(
      '2001:db8:1::/48',
    )
    expect(JSON.parse((await byPlan('/', from('2001:db8:1:2::1'))).body).key).toBe('2001:db8:1:2::/64')
  })

  it('keys an IPv4-mapped address by its IPv4 address', async () => {
    const get = await serveExpress(rateLimit(), behindOneProxy)
    expect(JSON.parse((await get('/', from('::ffff:198.51.100.7'))).body).key).toBe('198.51.100.7')
  })

  it('makes the key the default keyGenerator makes, for a keyGenerator of your own', () => {
    expect(ipKeyGenerator('198.51.100.7')).toBe('198.51.100.7')
    expect(ipKeyGenerator('::ffff:198.51.100.7')).toBe('198.51.100.7')
    expect(ipKeyGenerator('2001:db8:abcd:1234::1')).toBe('2001:db8:abcd:1200::/56')
    expect(ipKeyGenerator('2001:db8:abcd:1234::1', 64)).toBe('2001:db8:abcd:1234::/64')
    expect(ipKeyGenerator('2001:db8:abcd:1234::1', false)).toBe('2001:db8:abcd:1234::1')
  })
})

describe('skipSuccessfulRequests, skipFailedRequests and requestWasSuccessful', () => {
  it('gives back the hits of successful requests with skipSuccessfulRequests', async () => {
    const get = await serveExpress(rateLimit({ limit: 2, skipSuccessfulRequests: true }))
    expect(statuses(await inARow(get, 4))).toEqual([200, 200, 200, 200])
    expect(statuses(await inARow(get, 3, '/fail'))).toEqual([500, 500, 429])
  })

  it('gives back the hits of failed requests with skipFailedRequests, a thrown route included', async () => {
    const get = await serveExpress(rateLimit({ limit: 2, skipFailedRequests: true }))
    expect(statuses([await get('/fail'), await get('/throw'), await get('/fail')])).toEqual([500, 500, 500])
    expect(statuses(await inARow(get, 3))).toEqual([200, 200, 429])
  })

  it('asks requestWasSuccessful(req, res) which requests succeeded', async () => {
    const requestWasSuccessful = async (req: Request, res: Response) => req.query.ok === '1' && res.statusCode === 200
    const get = await serveExpress(rateLimit({ limit: 1, skipSuccessfulRequests: true, requestWasSuccessful }))
    expect(statuses([await get('/?ok=1'), await get('/?ok=1'), await get('/'), await get('/?ok=1')])).toEqual([
      200, 200, 200, 429,
    ])
  })
})
