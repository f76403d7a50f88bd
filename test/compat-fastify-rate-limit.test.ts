// The @fastify/rate-limit drop-in, driven with the usage @fastify/rate-limit documents: each
// scenario runs on a Fastify app with the drop-in and on one with @fastify/rate-limit 11 itself,
// and both must answer the same statuses, headers and bodies. Then what only the drop-in can show:
// callbacks, hooks, createRateLimit(), the error handler and a real HTTP client.
import { createRequire } from 'node:module'
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type InjectOptions } from 'fastify'
import got from 'got'
import { afterEach, describe, expect, it } from 'vitest'
import fastifyRateLimit, { normalizeIP, type RateLimitPluginOptions } from '../compat/fastify-rate-limit.js'

/** @fastify/rate-limit itself, loaded untyped: its module augmentation of Fastify is not ours. */
const peerPlugin = createRequire(import.meta.url)('@fastify/rate-limit') as FastifyPluginAsync<RateLimitPluginOptions>
const plugins = { 'the drop-in': fastifyRateLimit, '@fastify/rate-limit': peerPlugin }
const apps: FastifyInstance[] = []

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

/** An app with `plugin` registered (awaited) under `options`, routes added by `routes`. */
async function appWith(
  plugin: FastifyPluginAsync<RateLimitPluginOptions>,
  options: RateLimitPluginOptions,
  routes: (app: FastifyInstance) => void = (app) => app.get('/', async () => 'ok'),
): Promise<FastifyInstance> {
  const app = Fastify()
  apps.push(app)
  await app.register(plugin, options)
  routes(app)
  await app.ready()
  return app
}

/** Status, rate limit headers and body of each request, in order. */
async function answers(app: FastifyInstance, requests: readonly (string | InjectOptions)[]) {
  const seen = []
  for (const request of requests) {
    const response = await app.inject(typeof request === 'string' ? { url: request } : request)
    const headers = Object.entries(response.headers).filter(([name]) => /ratelimit|retry-after/.test(name))
    seen.push({ status: response.statusCode, headers: Object.fromEntries(headers), body: response.body })
  }
  return seen
}

const twoRoutes = (app: FastifyInstance) => {
  app.get('/a', async () => 'a')
  app.get('/b', async () => 'b')
}

/** Scenarios from @fastify/rate-limit's README: options, routes and the requests sent. */
const scenarios: {
  title: string
  options: RateLimitPluginOptions
  routes?: (app: FastifyInstance) => void
  requests: readonly (string | InjectOptions)[]
}[] = [
  { title: 'the defaults: 1000 per minute, x-ratelimit-* headers', options: {}, requests: ['/', '/'] },
  {
    title: "max and timeWindow '1 minute': the third request refused 429 with its JSON error and retry-after",
    options: { max: 2, timeWindow: '1 minute' },
    requests: ['/', '/', '/', '/'],
  },
  { title: 'timeWindow in ms', options: { max: 1, timeWindow: 5000 }, requests: ['/', '/'] },
  {
    title: 'ban: 429 answers up to the ban, then 403',
    options: { max: 1, ban: 2, timeWindow: 60_000 },
    requests: ['/', '/', '/', '/', '/'],
  },
  { title: 'ban 0: 403 at once', options: { max: 1, ban: 0 }, requests: ['/', '/'] },
  {
    title: 'max as an async function of the request and key',
    options: {
      keyGenerator: (request) => String(request.headers['service-key']),
      max: async (_request, key) => (key === 'pro' ? 3 : 2),
      timeWindow: 1000,
    },
    requests: Array.from({ length: 4 }, (_, index) => ({
      url: '/',
      headers: { 'service-key': index % 2 ? 'pro' : 'free' },
    })).concat(Array.from({ length: 4 }, () => ({ url: '/', headers: { 'service-key': 'pro' } }))),
  },
  {
    title: 'an allowList of keys: no limit and no headers',
    options: { max: 1, allowList: ['127.0.0.1'] },
    requests: ['/', '/'],
  },
  {
    title: 'an allowList function of the request and key',
    options: { max: 1, allowList: (request) => request.headers['x-app-client-id'] === 'internal-usage' },
    requests: [
      { url: '/', headers: { 'x-app-client-id': 'internal-usage' } },
      { url: '/', headers: { 'x-app-client-id': 'internal-usage' } },
      '/',
      '/',
    ],
  },
  {
    title: 'errorResponseBuilder: its object is the body, with the status it names',
    options: {
      max: 1,
      errorResponseBuilder: (_request, context) => ({
        statusCode: 429,
        error: 'Too Many Requests',
        message: `I only allow ${context.max} requests per ${context.after} to this Website. Try again soon.`,
        ban: context.ban,
        status: context.statusCode,
      }),
    },
    requests: ['/', '/'],
  },
  { title: 'enableDraftSpec: ratelimit-* headers', options: { max: 1, enableDraftSpec: true }, requests: ['/', '/'] },
  {
    title: 'addHeaders and addHeadersOnExceeding turn headers off one by one',
    options: {
      max: 1,
      addHeadersOnExceeding: { 'x-ratelimit-reset': false },
      addHeaders: { 'x-ratelimit-limit': false, 'retry-after': false },
    },
    requests: ['/', '/'],
  },
  {
    title: 'each route has a quota of its own',
    options: { max: 1 },
    routes: twoRoutes,
    requests: ['/a', '/b', '/a', '/b'],
  },
  {
    title: 'config.rateLimit: a route with options over the plugin’s, and one with rateLimit false',
    options: { max: 100, timeWindow: '1 minute' },
    routes: (app) => {
      app.get('/private', { config: { rateLimit: { max: 1 } } }, async () => 'private')
      app.get('/public', { config: { rateLimit: false } }, async () => 'public')
    },
    requests: ['/private', '/private', '/public', '/public'],
  },
  {
    title: 'global false: only routes with a config.rateLimit are limited',
    options: { global: false, max: 3000 },
    routes: (app) => {
      app.get('/', { config: { rateLimit: { max: 1, timeWindow: '1 minute' } } }, async () => 'root')
      app.get('/public', async () => 'public')
    },
    requests: ['/', '/', '/public', '/public'],
  },
  {
    title: 'timeWindow as an async function and an async keyGenerator',
    options: {
      max: 1,
      keyGenerator: async (request) => String(request.headers['x-user']),
      timeWindow: async (_request, key) => (key === 'ann' ? 5000 : 20_000),
    },
    requests: ['ann', 'ann', 'bob', 'bob'].map((user) => ({ url: '/', headers: { 'x-user': user } })),
  },
  {
    title: 'a route’s own allowList, hook and errorResponseBuilder',
    options: { max: 10 },
    routes: (app) => {
      const errorResponseBuilder = () => ({ statusCode: 429, message: 'route says no' })
      const rateLimit = { max: 1, hook: 'preHandler', allowList: ['10.0.0.1'], errorResponseBuilder } as const
      app.get('/route', { config: { rateLimit } }, async () => 'route')
    },
    requests: [
      '/route',
      '/route',
      { url: '/route', remoteAddress: '10.0.0.1' },
      { url: '/route', remoteAddress: '10.0.0.1' },
    ],
  },
  {
    title: 'fastify.rateLimit() limits the not-found handler',
    options: { global: true, max: 2, timeWindow: 1000 },
    routes: (app) =>
      app.setNotFoundHandler({ preHandler: app.rateLimit({ max: 1, timeWindow: 500 }) }, (_request, reply) => {
        reply.code(404).send({ hello: 'world' })
      }),
    requests: ['/nowhere', '/nowhere'],
  },
]

describe('the @fastify/rate-limit drop-in answers as @fastify/rate-limit does', () => {
  it.each(scenarios)('$title', async ({ options, routes, requests }) => {
    const [ours, theirs] = await Promise.all(
      Object.values(plugins).map(async (plugin) => answers(await appWith(plugin, options, routes), requests)),
    )
    expect(ours).toEqual(theirs)
    expect(ours?.length).toBe(requests.length)
  })
})

describe('the @fastify/rate-limit drop-in', () => {
  it('refuses 429 with "Rate limit exceeded, retry in 1 minute" after max requests', async () => {
    const app = await appWith(fastifyRateLimit, { max: 2, timeWindow: '1 minute' })
    const seen = await answers(app, ['/', '/', '/'])
    expect(seen.map(({ status }) => status)).toEqual([200, 200, 429])
    expect(JSON.parse(String(seen[2]?.body))).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'Rate limit exceeded, retry in 1 minute',
    })
    expect(seen[2]?.headers).toEqual({
      'x-ratelimit-limit': '2',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '60',
      'retry-after': '60',
    })
  })

  it('calls onExceeding for requests let through and onExceeded for refused ones, with the key', async () => {
    const calls: string[] = []
    const app = await appWith(fastifyRateLimit, {
      max: 1,
      keyGenerator: () => 'client-1',
      onExceeding: (_request, key) => calls.push(`exceeding ${key}`),
      onExceeded: (_request, key) => calls.push(`exceeded ${key}`),
    })
    await answers(app, ['/', '/'])
    expect(calls).toEqual(['exceeding client-1', 'exceeded client-1'])
  })

  it('calls onBanReach for a banned request and tells errorResponseBuilder ban: true with statusCode 403', async () => {
    const contexts: object[] = []
    const banned: unknown[] = []
    const app = await appWith(fastifyRateLimit, {
      max: 1,
      ban: 1,
      timeWindow: 10_000,
      onBanReach: (_request, key) => banned.push(key),
      errorResponseBuilder: (_request, context) => {
        contexts.push(context)
        return { statusCode: context.statusCode, message: 'slow down' }
      },
    })
    expect((await answers(app, ['/', '/', '/'])).map(({ status }) => status)).toEqual([200, 429, 403])
    expect(contexts).toEqual([
      { statusCode: 429, ban: false, after: '10 seconds', max: 1, ttl: expect.any(Number) },
      { statusCode: 403, ban: true, after: '10 seconds', max: 1, ttl: expect.any(Number) },
    ])
    expect(banned).toEqual(['127.0.0.1'])
  })

  it('keeps a banned client out for a whole timeWindow from the refusal that banned it (documented)', async () => {
    const app = await appWith(fastifyRateLimit, { max: 1, ban: 0, timeWindow: 1000 })
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
    expect((await app.inject('/')).statusCode).toBe(200)
    await pause(600)
    const banned = await app.inject('/')
    expect([banned.statusCode, banned.headers['retry-after']]).toEqual([403, '1'])
    await pause(500)
    // The window that held the ban has ended; the ban has not.
    expect((await app.inject('/')).statusCode).toBe(403)
    await pause(600)
    expect((await app.inject('/')).statusCode).toBe(200)
  })

  it('throws the refusal to the app’s error handler, with statusCode 429', async () => {
    const app = await appWith(fastifyRateLimit, { max: 1 }, (app) => {
      app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
        if (error.statusCode === 429) {
          reply.code(429)
          error.message = 'You hit the rate limit! Slow down please!'
        }
        reply.send(error)
      })
      app.get('/', async () => 'ok')
    })
    const [, refused] = await answers(app, ['/', '/'])
    expect(refused?.status).toBe(429)
    expect(JSON.parse(String(refused?.body))).toMatchObject({ message: 'You hit the rate limit! Slow down please!' })
  })

  it("limits in the 'preHandler' hook, after the app's hooks set the key", async () => {
    const userOf = (request: object) => request as { userId?: string | undefined }
    const options: RateLimitPluginOptions = {
      max: 1,
      hook: 'preHandler',
      keyGenerator: (request) => userOf(request).userId || request.ip,
    }
    const app = await appWith(fastifyRateLimit, options, (app) => {
      app.addHook('preHandler', async (request) => {
        userOf(request).userId = (request.query as { userId?: string }).userId
      })
      app.get('/', async () => 'ok')
    })
    const statuses = []
    for (const url of ['/?userId=ann', '/?userId=bob', '/?userId=ann'])
      statuses.push((await app.inject({ url })).statusCode)
    expect(statuses).toEqual([200, 200, 429])
  })

  it('gives the routes of one groupId one quota, as documented (@fastify/rate-limit 11.2 gives each its own: its issue #463)', async () => {
    const app = await appWith(fastifyRateLimit, { global: false }, (app) => {
      const rateLimit = { max: 3, timeWindow: '1 minute', groupId: 'OTP' }
      app.get('/otp/send', { config: { rateLimit } }, async () => 'sent')
      app.get('/otp/resend', { config: { rateLimit } }, async () => 'resent')
      app.get('/other', { config: { rateLimit: { max: 3 } } }, async () => 'other')
    })
    const seen = await answers(app, ['/otp/send', '/otp/resend', '/otp/send', '/otp/resend', '/other'])
    expect(seen.map(({ status }) => status)).toEqual([200, 200, 200, 429, 200])
    expect(seen.map(({ headers }) => headers['x-ratelimit-remaining'])).toEqual(['2', '1', '0', '0', '2'])
  })

  it.each(['continueExceeding', 'exponentialBackoff'] as const)(
    'keeps a client that retries while limited out with %s: each refusal renews the window',
    async (option) => {
      const app = await appWith(fastifyRateLimit, { max: 1, timeWindow: 400, [option]: true })
      expect((await app.inject('/')).statusCode).toBe(200)
      expect((await app.inject('/')).statusCode).toBe(429)
      await new Promise((resolve) => setTimeout(resolve, 250))
      expect((await app.inject('/')).statusCode).toBe(429)
      await new Promise((resolve) => setTimeout(resolve, 250))
      // 500 ms after the window opened, but only 250 ms after the last refusal renewed it.
      expect((await app.inject('/')).statusCode).toBe(429)
      await new Promise((resolve) => setTimeout(resolve, 450))
      expect((await app.inject('/')).statusCode).toBe(200)
    },
  )

  it('checks requests with createRateLimit(), counting them unless increment is false', async () => {
    const app = await appWith(fastifyRateLimit, { global: false, max: 100, timeWindow: '1 minute' }, (app) => {
      const check = app.createRateLimit({ max: 2, allowList: ['10.0.0.1'] })
      app.get('/', async (request, reply) => {
        const peek = await check(request, { increment: false })
        const limit = await check(request)
        if (!limit.isAllowed && limit.isExceeded) return reply.code(429).send('Limit exceeded')
        return { peek, limit }
      })
    })
    const first = (await app.inject('/')).json()
    expect(first.peek).toMatchObject({ isAllowed: false, key: '127.0.0.1', max: 2, remaining: 2, isExceeded: false })
    expect(first.limit).toMatchObject({
      isAllowed: false,
      key: '127.0.0.1',
      max: 2,
      timeWindow: 60_000,
      remaining: 1,
      ttlInSeconds: 60,
      isExceeded: false,
      isBanned: false,
    })
    expect((await app.inject('/')).statusCode).toBe(200)
    const refused = await app.inject('/')
    expect([refused.statusCode, refused.body]).toEqual([429, 'Limit exceeded'])
    const allowListed = await app.inject({ url: '/', remoteAddress: '10.0.0.1' })
    expect(allowListed.json().limit).toEqual({ isAllowed: true, key: '10.0.0.1' })
  })

  it('keys IPv6 clients by their /64 (ipv6Subnet), as normalizeIP does', async () => {
    const app = await appWith(fastifyRateLimit, { max: 1 })
    const from = async (remoteAddress: string) => (await app.inject({ url: '/', remoteAddress })).statusCode
    expect(await from('2001:db8:abcd:12::1')).toBe(200)
    expect(await from('2001:db8:abcd:12:ffff::2')).toBe(429)
    expect(await from('2001:db8:abcd:13::1')).toBe(200)
    expect(normalizeIP('::ffff:192.0.2.1')).toBe('192.0.2.1')
    expect(normalizeIP('64:ff9b::c000:201')).toBe('192.0.2.1') // NAT64 too (documented)
    expect(normalizeIP('2001:db8::1', 0)).toBe('::')
    expect(normalizeIP('2001:0DB8:ABCD:0012::1')).toBe('2001:db8:abcd:12::')
    expect(normalizeIP('2001:db8:abcd:12::1', 48)).toBe('2001:db8:abcd::')
  })

  it('refuses a timeWindow text that is no duration, and a max or timeWindow of 0, when registered', async () => {
    await expect(appWith(fastifyRateLimit, { timeWindow: 'soon' })).rejects.toThrow(/timeWindow/)
    await expect(appWith(fastifyRateLimit, { max: 0 })).rejects.toThrow(/`max`/)
    await expect(appWith(fastifyRateLimit, { timeWindow: 0 })).rejects.toThrow(/`timeWindow`/)
  })

  it("takes @fastify/rate-limit's defaults for numbers it does not read: negative, not finite or not numbers", async () => {
    const options = { max: -1, timeWindow: Number.NaN, ban: -3 } as unknown as RateLimitPluginOptions
    const response = await (await appWith(fastifyRateLimit, options)).inject('/')
    expect([response.headers['x-ratelimit-limit'], response.headers['x-ratelimit-reset']]).toEqual(['1000', '60'])
  })

  it('gives a real HTTP client (got) the status, headers and a Retry-After it can wait out', async () => {
    const app = await appWith(fastifyRateLimit, { max: 1, timeWindow: 1000 })
    const url = await app.listen({ port: 0, host: '127.0.0.1' })
    const first = await got(url)
    expect([first.statusCode, first.headers['x-ratelimit-remaining']]).toEqual([200, '0'])
    const refused = await got(url, { throwHttpErrors: false, retry: { limit: 0 } })
    expect([refused.statusCode, refused.headers['retry-after']]).toEqual([429, '1'])
    const waited = await got(url, { retry: { limit: 1, statusCodes: [429], methods: ['GET'] } })
    expect(waited.statusCode).toBe(200)
  })
})
