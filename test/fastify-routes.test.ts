// Fastify natively: per-route config.rateLimit (the plugin's options overridden, a quota of the
// route's own, or false), global: false, the fastify.rateLimit() decorator, the hook option, and
// refusals through the app's error handler. On the memory store and on Redis.
import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { type FastifyRateLimitOptions, RateLimitRefusedError, rateLimit } from '../adapters/fastify.js'
import { RateLimiter, RateLimitOptionsError } from '../src/index.js'
import { uniquePrefix } from './helpers/redis.js'
import { createStore } from './helpers/stores.js'
import { rateLimitWarnings } from './helpers/warnings.js'

const HOUR = 3_600_000
const stores = { memory: () => undefined, redis: () => createStore('standalone') }
const apps: FastifyInstance[] = []
const warnings = rateLimitWarnings()

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

/** A Fastify app with the plugin registered (awaited) under `options`, routes added by `routes`. */
async function appWith(
  options: FastifyRateLimitOptions,
  routes: (app: FastifyInstance) => void,
): Promise<FastifyInstance> {
  const app = Fastify()
  apps.push(app)
  await app.register(rateLimit(options))
  routes(app)
  await app.ready()
  return app
}

/** The statuses of `count` GETs (or `method`) of `url`. */
async function statuses(app: FastifyInstance, url: string, count: number, method: 'GET' | 'HEAD' = 'GET') {
  const answers: number[] = []
  for (let request = 0; request < count; request++) answers.push((await app.inject({ method, url })).statusCode)
  return answers
}

describe.each(Object.entries(stores))('per-route config.rateLimit, %s store', (_storeName, makeStore) => {
  const store = makeStore()
  const base = () => ({ limit: 3, windowMs: HOUR, prefix: uniquePrefix('fastify-routes'), ...(store && { store }) })

  it('gives a route the plugin options overridden by its own, on a quota of its own', async () => {
    const app = await appWith(base(), (routes) => {
      routes.get('/', async () => 'home')
      routes.post('/login', { config: { rateLimit: { limit: 1 } } }, async () => 'welcome')
    })
    const login = [(await app.inject({ method: 'POST', url: '/login' })).statusCode]
    login.push((await app.inject({ method: 'POST', url: '/login' })).statusCode)
    expect(login).toEqual([200, 429])
    const reply = await app.inject({ method: 'GET', url: '/' })
    expect(reply.headers.ratelimit).toMatch(/^"3-per-3600s";r=2;/)
    const refused = await app.inject({ method: 'POST', url: '/login' })
    expect(refused.headers.ratelimit).toMatch(/^"1-per-3600s";r=0;/)
  })

  it('keeps two routes with equal options apart, on one store, without a shared-quota warning', async () => {
    const own = { limit: 1 }
    const app = await appWith(base(), (routes) => {
      routes.get('/a', { config: { rateLimit: own } }, async () => 'a')
      routes.get('/b', { config: { rateLimit: own } }, async () => 'b')
    })
    expect([...(await statuses(app, '/a', 2)), ...(await statuses(app, '/b', 2))]).toEqual([200, 429, 200, 429])
    expect(await warnings('WARN_RATE_LIMIT_SHARED_QUOTA')).toHaveLength(0)
  })

  it('lets routes share a quota through one limiter, and counts a GET route and its HEAD together', async () => {
    const limiter = new RateLimiter({ prefix: uniquePrefix('shared'), ...(store && { store }) })
    const shared = { limiter }
    const app = await appWith({ ...base(), limit: 2 }, (routes) => {
      routes.get('/one', { config: { rateLimit: shared } }, async () => 'one')
      routes.get('/two', { config: { rateLimit: shared } }, async () => 'two')
      routes.get('/page', { config: { rateLimit: { limit: 2 } } }, async () => 'page')
    })
    await statuses(app, '/one', 60)
    expect(await statuses(app, '/two', 41)).toEqual([...Array(40).fill(200), 429])
    expect([...(await statuses(app, '/page', 1)), ...(await statuses(app, '/page', 2, 'HEAD'))]).toEqual([
      200, 200, 429,
    ])
  })

  it('leaves a route with rateLimit: false unlimited, with no headers', async () => {
    const app = await appWith({ ...base(), limit: 1 }, (routes) => {
      routes.get('/health', { config: { rateLimit: false } }, async () => 'ok')
    })
    expect(await statuses(app, '/health', 3)).toEqual([200, 200, 200])
    expect((await app.inject('/health')).headers.ratelimit).toBeUndefined()
  })

  it('limits only the routes with a config.rateLimit under global: false', async () => {
    const app = await appWith({ ...base(), limit: 1, global: false }, (routes) => {
      routes.get('/open', async () => 'open')
      routes.get('/limited', { config: { rateLimit: {} } }, async () => 'limited')
    })
    expect(await statuses(app, '/open', 3)).toEqual([200, 200, 200])
    expect(await statuses(app, '/limited', 2)).toEqual([200, 429])
  })
})

describe('the plugin scope', () => {
  it('limits not-found answers under global, and routes declared before it was registered', async () => {
    const app = Fastify()
    apps.push(app)
    app.get('/early', { config: { rateLimit: { limit: 1 } } }, async () => 'early')
    app.get('/early-global', async () => 'early')
    app.register(rateLimit({ limit: 2, windowMs: HOUR }))
    await app.ready()
    expect(await statuses(app, '/early', 2)).toEqual([200, 429])
    expect(await statuses(app, '/missing', 3)).toEqual([404, 404, 429])
  })

  it('checks a route options at setup, naming the route', async () => {
    const app = Fastify()
    apps.push(app)
    await app.register(rateLimit({ limit: 2 }))
    expect(() => app.get('/x', { config: { rateLimit: { limit: -1 } } }, async () => 'x')).toThrow(
      /^Expected `limit` to be a positive integer.*, got -1 \(in the rate limit options of GET \/x\)$/,
    )
    expect(() => app.get('/y', { config: { rateLimit: { global: false } as never } }, async () => 'y')).toThrow(
      'Expected `global` only in the options of the plugin, not of a route (in the rate limit options of GET /y)',
    )
    let thrown: unknown
    try {
      app.get('/w', { config: { rateLimit: 'none' as never } }, async () => 'w')
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(RateLimitOptionsError)
    expect((thrown as Error).message).toMatch(
      /^Expected rateLimit\(\) \(atomic-ratelimit\/fastify\) \(GET \/w\) options /,
    )
    expect((thrown as Error).cause).toBeInstanceOf(RateLimitOptionsError)
    const throwing = {
      get limit(): number {
        throw new TypeError('a getter of the app')
      },
    }
    expect(() => app.get('/v', { config: { rateLimit: throwing } }, async () => 'v')).toThrow(
      new TypeError('a getter of the app'),
    )
    const withLimiter = Fastify()
    apps.push(withLimiter)
    await withLimiter.register(rateLimit({ limiter: new RateLimiter() }))
    expect(() => withLimiter.get('/z', { config: { rateLimit: { limit: 5 } } }, async () => 'z')).toThrow(
      RateLimitOptionsError,
    )
    expect(() => rateLimit({ hook: 'onSend' as never })).toThrow(
      'Expected `hook` to be one of onRequest, preParsing, preValidation, preHandler, got "onSend"',
    )
  })

  it('registers as atomic-ratelimit, decorating the request and the instance once, however often it is registered', async () => {
    const app = Fastify()
    apps.push(app)
    await app.register(rateLimit({ limit: 2, windowMs: HOUR }))
    // A second registration in the same scope (as a drop-in entry may do) must not decorate again.
    await app.register(rateLimit({ limit: 5, windowMs: HOUR, global: false }))
    app.get('/', async (request) => request.rateLimit?.limit)
    await app.ready()
    expect(app.hasRequestDecorator('rateLimit')).toBe(true)
    expect(app.hasDecorator('rateLimit')).toBe(true)
    expect(app.pluginName).toContain('atomic-ratelimit')
    expect((await app.inject('/')).body).toBe('2')
  })
})

describe('fastify.rateLimit()', () => {
  it('makes a hook with the plugin options overridden, for a route or the not-found handler', async () => {
    const app = Fastify()
    apps.push(app)
    await app.register(rateLimit({ limit: 5, windowMs: HOUR, global: false }))
    app.get('/strict', { onRequest: app.rateLimit({ limit: 1 }) }, async () => 'strict')
    app.setNotFoundHandler({ preHandler: app.rateLimit({ limit: 2 }) }, async (_request, reply) =>
      reply.code(404).send('none'),
    )
    await app.ready()
    expect(await statuses(app, '/strict', 2)).toEqual([200, 429])
    expect(await statuses(app, '/nowhere', 3)).toEqual([404, 404, 429])
  })

  it('checks its options when called, naming itself', async () => {
    const app = Fastify()
    apps.push(app)
    await app.register(rateLimit({ limit: 5, windowMs: HOUR, global: false }))
    expect(() => app.rateLimit({ limit: -1 })).toThrow(/, got -1 \(in the rate limit options of rateLimit\(\)\)$/)
  })
})

describe('the hook option', () => {
  /** An app whose preHandler sets the user the key is made from; the limiter runs in `hook`. */
  async function keyedByUser(options: FastifyRateLimitOptions, routeHook?: 'preHandler') {
    const app = Fastify()
    apps.push(app)
    app.decorateRequest('user', '')
    app.addHook('preHandler', async (request) => {
      ;(request as unknown as { user: string }).user = String(request.headers['x-user'] ?? '')
    })
    const keyGenerator = (request: unknown) => (request as { user: string }).user || 'nobody'
    await app.register(rateLimit({ limit: 1, windowMs: HOUR, keyGenerator, ...options }))
    const config = routeHook ? { rateLimit: { hook: routeHook } } : {}
    app.get('/', { config }, async () => 'ok')
    await app.ready()
    return async (user: string) => (await app.inject({ url: '/', headers: { 'x-user': user } })).statusCode
  }

  it('runs the limiter in preHandler, after the app has authenticated the request', async () => {
    const get = await keyedByUser({ hook: 'preHandler' })
    expect([await get('ann'), await get('bob'), await get('ann')]).toEqual([200, 200, 429])
  })

  it('runs it in onRequest by default, before preHandler: every user counts as nobody', async () => {
    const get = await keyedByUser({})
    expect([await get('ann'), await get('bob')]).toEqual([200, 429])
  })

  it.each(['preParsing', 'preValidation'] as const)('runs in %s, leaving the body to the route', async (hook) => {
    const app = await appWith({ limit: 1, windowMs: HOUR, hook }, (routes) => {
      routes.post('/echo', async (request) => request.body)
    })
    const post = () => app.inject({ method: 'POST', url: '/echo', payload: { sent: hook } })
    const allowed = await post()
    expect([allowed.statusCode, allowed.json()]).toEqual([200, { sent: hook }])
    expect((await post()).statusCode).toBe(429)
  })

  it('runs before the route’s own hooks of that name, and keeps them, one or several', async () => {
    const ran: string[] = []
    const app = await appWith({ limit: 5, windowMs: HOUR }, (routes) => {
      const config = { rateLimit: { limit: 1 } }
      routes.get('/one', { config, onRequest: async () => void ran.push('one') }, async () => 'one')
      const two = [async () => void ran.push('two-a'), async () => void ran.push('two-b')]
      routes.get('/two', { config, onRequest: two }, async () => 'two')
    })
    expect(await statuses(app, '/one', 2)).toEqual([200, 429])
    expect(await statuses(app, '/two', 2)).toEqual([200, 429])
    expect(ran).toEqual(['one', 'two-a', 'two-b'])
  })

  it('settles a route’s own limiter by the reply’s status', async () => {
    const app = await appWith({ limit: 5, windowMs: HOUR }, (routes) => {
      const rateLimit = { limit: 1, skipFailedRequests: true }
      routes.get('/missing', { config: { rateLimit } }, async (_request, reply) => reply.code(404).send('no'))
    })
    expect(await statuses(app, '/missing', 3)).toEqual([404, 404, 404])
  })

  it('takes a route hook of its own', async () => {
    const get = await keyedByUser({}, 'preHandler')
    expect([await get('ann'), await get('bob'), await get('ann')]).toEqual([200, 200, 429])
  })
})

describe.each(Object.entries(stores))('refusals and the error handler, %s store', (_storeName, makeStore) => {
  const store = makeStore()

  /** An app whose error handler records what it got and answers with its own body. */
  async function withErrorHandler(options: FastifyRateLimitOptions) {
    const app = Fastify()
    apps.push(app)
    const seen: { error: unknown; status: number; ratelimit: unknown }[] = []
    app.setErrorHandler(async (error, _request, reply) => {
      seen.push({ error, status: reply.statusCode, ratelimit: reply.getHeader('ratelimit') })
      if (error instanceof RateLimitRefusedError)
        return reply.send({ mine: error.reason, after: error.retryAfterSeconds })
      return reply.send(error)
    })
    await app.register(
      rateLimit({ prefix: uniquePrefix('fastify-errors'), windowMs: HOUR, ...(store && { store }), ...options }),
    )
    app.get('/', async () => 'ok')
    await app.ready()
    return { app, seen }
  }

  it('passes a refusal to the error handler: statusCode 429, headers already on the reply', async () => {
    const { app, seen } = await withErrorHandler({ limit: 1 })
    await app.inject('/')
    const refused = await app.inject('/')
    expect(refused.statusCode).toBe(429)
    expect(refused.json()).toEqual({ mine: 'limited', after: expect.any(Number) })
    expect(refused.headers['retry-after']).toBe(String(refused.json().after))
    expect(refused.headers.ratelimit).toMatch(/^"1-per-3600s";r=0;/)
    const [{ error, status, ratelimit }] = seen as [(typeof seen)[number]]
    expect(error).toBeInstanceOf(RateLimitRefusedError)
    expect(error).toMatchObject({ statusCode: 429, code: 'ERR_RATE_LIMIT_REFUSED', reason: 'limited' })
    expect(error).toMatchObject({
      name: 'RateLimitRefusedError',
      message: `Too many requests; retry in ${refused.json().after} s.`,
    })
    expect([status, ratelimit]).toEqual([429, refused.headers.ratelimit])
    expect((error as RateLimitRefusedError).result?.allowed).toBe(false)
  })

  it('passes a ban (403, banned) and a denial (403, denied) the same way', async () => {
    const banned = await withErrorHandler({ limit: 1, ban: { afterRefusals: 1 } })
    await banned.app.inject('/')
    expect([(await banned.app.inject('/')).statusCode, (await banned.app.inject('/')).json().mine]).toEqual([
      403,
      'banned',
    ])
    const denied = await withErrorHandler({ denyList: ['127.0.0.1'] })
    const reply = await denied.app.inject('/')
    expect([reply.statusCode, reply.json()]).toEqual([403, { mine: 'denied' }])
  })

  it('answers with the message or handler when given one, not the error handler', async () => {
    const { app, seen } = await withErrorHandler({ limit: 1, message: 'slow down' })
    await app.inject('/')
    const refused = await app.inject('/')
    expect([refused.statusCode, refused.body, seen.length]).toEqual([429, 'slow down', 0])
  })
})

describe('refusals without an error handler', () => {
  it('are answered with the problem, as every adapter does', async () => {
    const app = await appWith({ limit: 1 }, (routes) => routes.get('/', async () => 'ok'))
    await app.inject('/')
    const refused = await app.inject('/')
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(refused.json()).toMatchObject({ status: 429, title: 'Quota Exceeded' })
  })
})
