// atomic-ratelimit/compat/hono-rate-limiter driven as hono-rate-limiter's documentation describes its
// options, defaults, headers, bodies and context variables, on a Hono app through app.request (the
// Node request handed over as @hono/node-server does), on our stores (memory, real Redis) and on a
// store of hono-rate-limiter's interface.
import { serve } from '@hono/node-server'
import got from 'got'
import { type Context, Hono, type MiddlewareHandler } from 'hono'
import { MemoryStore as PeerMemoryStore } from 'hono-rate-limiter'
import { afterEach, describe, expect, it } from 'vitest'
import {
  type HonoConfigType,
  MemoryStore,
  type RateLimitInfo,
  RedisStore,
  rateLimiter,
} from '../compat/hono-rate-limiter.js'
import { RateLimitOptionsError } from '../src/index.js'
import { connectStandalone } from './helpers/redis.js'

interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly body: string
}

/** Each client address its own socket peer, as @hono/node-server reports it. */
const envOf = (ip: string) => ({ incoming: { socket: { remoteAddress: ip } } })

/**
 * A Hono app behind `middleware`: `/` answers 200 with `c.get('rateLimit')`, `/fail` 400 with it,
 * `/throw` throws; errors answer 500 with `error: <message>`.
 */
function appBehind(middleware: MiddlewareHandler) {
  const app = new Hono()
  app.use(middleware)
  app.get('/', (c) => c.json(c.get('rateLimit' as never) ?? null))
  app.get('/fail', (c) => c.json(c.get('rateLimit' as never) ?? null, 400))
  app.onError((error, c) => c.text(`error: ${error.message}`, 500))
  return async (path = '/', ip = '192.0.2.1', headers: Record<string, string> = {}): Promise<Answer> => {
    const response = await app.request(path, { headers }, envOf(ip))
    return { status: response.status, headers: response.headers, body: await response.text() }
  }
}

async function inARow(get: (path?: string) => Promise<Answer>, count: number, path = '/'): Promise<Answer[]> {
  const answers = []
  for (let i = 0; i < count; i++) answers.push(await get(path))
  return answers
}

const statuses = (answers: Answer[]) => answers.map((answer) => answer.status)
const byClient = () => 'client'

describe('the defaults of hono-rate-limiter', () => {
  it('lets 5 requests a minute through and answers the 6th with 429 and its message as text', async () => {
    const get = appBehind(rateLimiter({ keyGenerator: byClient }))
    const answers = await inARow(get, 6)
    expect(statuses(answers)).toEqual([200, 200, 200, 200, 200, 429])
    expect(answers[5]?.body).toBe('Too many requests, please try again later.')
    expect(answers[5]?.headers.get('content-type')).toMatch(/^text\/plain/)
  })

  it('sends the draft-6 RateLimit headers and its policy, and no legacy ones', async () => {
    const get = appBehind(rateLimiter({ keyGenerator: byClient }))
    const { headers } = await get()
    expect(headers.get('ratelimit-policy')).toBe('5;w=60')
    expect(headers.get('ratelimit-limit')).toBe('5')
    expect(headers.get('ratelimit-remaining')).toBe('4')
    expect(headers.get('ratelimit-reset')).toBe('60')
    expect(headers.get('x-ratelimit-limit')).toBeNull()
    expect(headers.get('ratelimit')).toBeNull()
  })

  it("puts limit, used, remaining and resetTime in c.get('rateLimit')", async () => {
    const get = appBehind(rateLimiter({ keyGenerator: byClient }))
    await get()
    const info = JSON.parse((await get()).body) as RateLimitInfo
    expect(info).toMatchObject({ limit: 5, used: 2, remaining: 3 })
    expect(Date.parse(String(info.resetTime)) - Date.now()).toBeGreaterThan(58_000)
  })

  it('counts by client IP when keyGenerator is left out', async () => {
    const get = appBehind(rateLimiter({ limit: 1 }))
    expect(statuses([await get('/', '192.0.2.1'), await get('/', '192.0.2.1'), await get('/', '192.0.2.2')])).toEqual([
      200, 429, 200,
    ])
  })

  it('counts by client IP over real HTTP through @hono/node-server', async () => {
    const app = new Hono()
    app.use(rateLimiter({ limit: 1 }))
    app.get('/', (c) => c.text('ok'))
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
    await new Promise((resolve) => server.once('listening', resolve))
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`
      const codes = []
      for (let i = 0; i < 2; i++)
        codes.push((await got(url, { throwHttpErrors: false, retry: { limit: 0 } })).statusCode)
      expect(codes).toEqual([200, 429])
    } finally {
      server.close()
    }
  })
})

describe('the options of hono-rate-limiter', () => {
  it('takes windowMs and limit, and a limit function of the context read per request', async () => {
    const get = appBehind(
      rateLimiter({ keyGenerator: byClient, windowMs: 10_000, limit: async (c) => (c.req.header('x-plan') ? 3 : 1) }),
    )
    const first = await get()
    expect(first.headers.get('ratelimit-policy')).toBe('1;w=10')
    expect((await get()).status).toBe(429)
    const paid = await get('/', '192.0.2.1', { 'x-plan': 'paid' } as never)
    expect(paid.status).toBe(200)
  })

  it('refuses every request with a limit of 0', async () => {
    const get = appBehind(rateLimiter({ keyGenerator: byClient, limit: 0 }))
    expect(statuses(await inARow(get, 2))).toEqual([429, 429])
  })

  it('keeps separate counts per key', async () => {
    const get = appBehind(rateLimiter({ limit: 1, keyGenerator: (c) => c.req.query('key') ?? '' }))
    expect(statuses([await get('/?key=a'), await get('/?key=b'), await get('/?key=a')])).toEqual([200, 200, 429])
  })

  it('sends message as text, as JSON, or what a function of the context returns, with statusCode', async () => {
    const asJson = appBehind(rateLimiter({ keyGenerator: byClient, limit: 1, message: { error: 'slow down' } }))
    const [, json] = await inARow(asJson, 2)
    expect(JSON.parse(json?.body ?? '')).toEqual({ error: 'slow down' })
    const fromFunction = appBehind(
      rateLimiter({ keyGenerator: byClient, limit: 1, statusCode: 503, message: async (c) => `no ${c.req.path}` }),
    )
    const [, text] = await inARow(fromFunction, 2)
    expect([text?.status, text?.body]).toEqual([503, 'no /'])
  })

  it('calls handler(c, next, options) with the options used, and its Response answers', async () => {
    let used: HonoConfigType | undefined
    const get = appBehind(
      rateLimiter({
        keyGenerator: byClient,
        limit: 1,
        handler: (c, _next, options) => {
          used = options
          return c.text(`limited at ${(c.get('rateLimit' as never) as RateLimitInfo).limit}`, 418)
        },
      }),
    )
    const [, refused] = await inARow(get, 2)
    expect([refused?.status, refused?.body]).toEqual([418, 'limited at 1'])
    expect(used).toMatchObject({ windowMs: 60_000, limit: 1, statusCode: 429, standardHeaders: 'draft-6' })
  })

  it('lets a refused request through to the route, with its own status, when handler calls next()', async () => {
    const get = appBehind(rateLimiter({ keyGenerator: byClient, limit: 1, handler: (_c, next) => next() }))
    const [, passed] = await inARow(get, 2)
    expect(passed?.status).toBe(200)
    expect(JSON.parse(passed?.body ?? '')).toMatchObject({ limit: 1, used: 2, remaining: 0 })
  })

  it('sends draft-7 headers, or none (Retry-After neither) with standardHeaders false', async () => {
    const draft7 = appBehind(rateLimiter({ keyGenerator: byClient, standardHeaders: 'draft-7' }))
    const { headers } = await draft7()
    expect(headers.get('ratelimit')).toBe('limit=5, remaining=4, reset=60')
    expect(headers.get('ratelimit-policy')).toBe('5;w=60')
    const none = appBehind(rateLimiter({ keyGenerator: byClient, limit: 1, standardHeaders: false }))
    const [first, refused] = await inARow(none, 2)
    expect([...(first?.headers.keys() ?? [])].filter((name) => name.startsWith('ratelimit'))).toEqual([])
    expect(refused?.status).toBe(429)
    expect(refused?.headers.get('retry-after')).toBeNull()
  })

  it('puts the figures under requestPropertyName, and getKey/resetKey under requestStorePropertyName', async () => {
    const app = new Hono()
    app.use(rateLimiter({ keyGenerator: byClient, requestPropertyName: 'limits', requestStorePropertyName: 'keys' }))
    app.get('/', async (c) => {
      const keys = c.get('keys' as never) as { getKey(key: string): Promise<unknown>; resetKey(key: string): unknown }
      const before = (await keys.getKey('client')) as { totalHits: number }
      if (c.req.query('reset')) await keys.resetKey('client')
      return c.json({ limits: c.get('limits' as never), rateLimit: c.get('rateLimit' as never), before })
    })
    await app.request('/')
    const seen = (await (await app.request('/?reset=1')).json()) as Record<
      string,
      { used?: number; totalHits?: number }
    >
    expect(seen.limits?.used).toBe(2)
    expect(seen.rateLimit).toBeUndefined()
    expect(seen.before?.totalHits).toBe(2)
    const afterReset = (await (await app.request('/')).json()) as Record<string, { used?: number }>
    expect(afterReset.limits?.used).toBe(1)
  })

  it('lets skipped requests through uncounted', async () => {
    const get = appBehind(rateLimiter({ keyGenerator: byClient, limit: 1, skip: (c) => c.req.path === '/fail' }))
    expect(statuses([await get('/fail'), await get('/fail'), await get('/'), await get('/')])).toEqual([
      400, 400, 200, 429,
    ])
  })

  it('gives back the hits of failed requests with skipFailedRequests', async () => {
    const get = appBehind(rateLimiter({ keyGenerator: byClient, limit: 1, skipFailedRequests: true }))
    expect(statuses([await get('/fail'), await get('/fail'), await get('/'), await get('/')])).toEqual([
      400, 400, 200, 429,
    ])
  })

  it('gives back the hits of successful requests with skipSuccessfulRequests, as requestWasSuccessful tells', async () => {
    const get = appBehind(rateLimiter({ keyGenerator: byClient, limit: 1, skipSuccessfulRequests: true }))
    expect(statuses([await get('/'), await get('/'), await get('/fail'), await get('/')])).toEqual([200, 200, 400, 429])
    const custom = appBehind(
      rateLimiter({
        keyGenerator: byClient,
        limit: 1,
        skipSuccessfulRequests: true,
        requestWasSuccessful: (c) => c.res.status === 400,
      }),
    )
    expect(statuses([await custom('/fail'), await custom('/fail'), await custom('/'), await custom('/')])).toEqual([
      400, 400, 200, 429,
    ])
  })

  it("refuses Cloudflare's binding, naming the option", () => {
    expect(() => rateLimiter({ binding: { limit: () => ({ success: true }) } } as never)).toThrow(RateLimitOptionsError)
    expect(() => rateLimiter({ binding: {} } as never)).toThrow(/`binding`/)
  })

  it('refuses a limit that is no non-negative integer or function, and a store of no known interface', () => {
    expect(() => rateLimiter({ limit: -1 })).toThrow(/`limit`/)
    expect(() => rateLimiter({ store: {} as never })).toThrow(/`store`/)
  })
})

describe('the stores of the hono-rate-limiter entry', () => {
  const clients: { quit(): Promise<unknown> }[] = []
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.quit()))
  })

  it('decides on our RedisStore, exactly under 40 concurrent requests, charging no refusal', async () => {
    const client = connectStandalone()
    clients.push(client)
    const key = `hono-compat-${Math.random()}`
    const store = new RedisStore({ client })
    const app = new Hono()
    app.use(rateLimiter({ keyGenerator: () => key, limit: 7, store }))
    app.get('/', (c) => c.text('ok'))
    const answers = await Promise.all(Array.from({ length: 40 }, () => app.request('/')))
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(7)
    const refused = await app.request('/')
    expect(refused.headers.get('ratelimit-remaining')).toBe('0')
  })

  it('shares counts between two middlewares on one MemoryStore', async () => {
    const store = new MemoryStore()
    const first = appBehind(rateLimiter({ keyGenerator: byClient, limit: 2, store }))
    const second = appBehind(rateLimiter({ keyGenerator: byClient, limit: 2, store }))
    expect(statuses([await first(), await second(), await first()])).toEqual([200, 200, 429])
  })

  it("counts on a store of hono-rate-limiter's interface as hono-rate-limiter does: refused hits too", async () => {
    const store = new PeerMemoryStore()
    const get = appBehind(rateLimiter({ keyGenerator: byClient, limit: 2, store }))
    const answers = await inARow(get, 3)
    expect(statuses(answers)).toEqual([200, 200, 429])
    expect(store.get('client')?.totalHits).toBe(3)
    expect(answers[2]?.headers.get('ratelimit-remaining')).toBe('0')
  })

  it("passes a store's failure to Hono's error handler", async () => {
    const failing = {
      increment: async () => {
        throw new Error('store down')
      },
      decrement: async () => undefined,
      resetKey: async () => undefined,
    }
    const get = appBehind(rateLimiter({ keyGenerator: byClient, store: failing }))
    const answer = await get()
    expect(answer.status).toBe(500)
    expect(answer.body).toMatch(/^error: /)
  })
})

describe('webSocketLimiter', () => {
  it('counts each message per key, closes the socket with 1008 and its message past the limit', async () => {
    const { webSocketLimiter } = await import('../compat/hono-rate-limiter.js')
    const { WSContext, createWSMessageEvent } = await import('hono/ws')
    const received: string[] = []
    const closed: [number | undefined, string | undefined][] = []
    const limit = webSocketLimiter({ limit: 2, keyGenerator: byClient })
    const app = new Hono()
    let onMessage: ((event: MessageEvent, ws: InstanceType<typeof WSContext>) => unknown) | undefined
    app.get('/ws', async (c: Context) => {
      const events = await limit(() => ({ onMessage: (event) => void received.push(String(event.data)) }))(c)
      onMessage = events.onMessage as typeof onMessage
      return c.text('upgraded')
    })
    await app.request('/ws')
    const ws = new WSContext({
      send: () => undefined,
      close: (code, reason) => void closed.push([code, reason]),
      readyState: 1,
    })
    for (const data of ['a', 'b', 'c']) await onMessage?.(createWSMessageEvent(data), ws)
    expect(received).toEqual(['a', 'b'])
    expect(closed).toEqual([[1008, 'Too many requests, please try again later.']])
  })
})
