// The koa-ratelimit drop-in, driven with the usage koa-ratelimit 6 documents, on real Koa servers
// through a real HTTP client (got): both drivers (memory with a Map, redis with an ioredis client,
// standalone and Cluster), every option, its headers, bodies and errors; and beside koa-ratelimit
// itself, the same statuses and figures.
import type { Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import got, { type Response } from 'got'
import Koa, { type Context, type Middleware } from 'koa'
import { afterEach, describe, expect, it } from 'vitest'
import ratelimit from '../compat/koa-ratelimit.js'
import { connectCluster, connectStandalone, uniquePrefix } from './helpers/redis.js'

type Options = Parameters<typeof ratelimit>[0]
/** koa-ratelimit itself, loaded untyped. */
const peer = createRequire(import.meta.url)('koa-ratelimit') as (options: Options) => Middleware
const servers: Server[] = []
afterEach(() => {
  for (const server of servers.splice(0)) server.close()
})

/** A Koa server with `limiter` in front of a handler that answers 'Stuff!'; resolves to its URL. */
async function serve(limiter: Middleware, setup: (app: Koa) => void = () => {}): Promise<string> {
  const app = new Koa()
  setup(app)
  app.use(limiter)
  app.use((ctx) => {
    ctx.body = 'Stuff!'
  })
  const server = app.listen(0, '127.0.0.1')
  servers.push(server)
  await new Promise((resolve) => server.once('listening', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
}

const get = (url: string, headers: Record<string, string> = {}) =>
  got(url, { headers, throwHttpErrors: false, retry: { limit: 0 } })

async function gets(url: string, count: number): Promise<Response<string>[]> {
  const responses = []
  for (let request = 0; request < count; request++) responses.push(await get(url))
  return responses
}

const nowSeconds = () => Date.now() / 1000

describe('the koa-ratelimit drop-in, memory driver', () => {
  it('sends X-RateLimit-Limit, -Remaining and -Reset (epoch seconds) and refuses past max with 429', async () => {
    const url = await serve(ratelimit({ driver: 'memory', db: new Map(), duration: 60_000, max: 2 }))
    const [first, second, third] = await gets(url, 3)
    expect([first?.statusCode, first?.body, first?.headers['x-ratelimit-remaining']]).toEqual([200, 'Stuff!', '1'])
    expect(second?.headers['x-ratelimit-remaining']).toBe('0')
    expect(third?.statusCode).toBe(429)
    expect(third?.body).toMatch(/^Rate limit exceeded, retry in (60 seconds|1 minute)\.$/)
    expect(third?.headers['content-type']).toBe('text/plain; charset=utf-8')
    expect(third?.headers['retry-after']).toBe('60')
    expect(third?.headers['x-ratelimit-limit']).toBe('2')
    const reset = Number(third?.headers['x-ratelimit-reset'])
    expect(Number.isInteger(reset) && Math.abs(reset - (nowSeconds() + 60)) < 2).toBe(true)
  })

  it('defaults to 2500 per hour, keyed by ctx.ip', async () => {
    const url = await serve(ratelimit({ driver: 'memory' }))
    const response = await get(url)
    expect(response.headers['x-ratelimit-limit']).toBe('2500')
    expect(response.headers['x-ratelimit-remaining']).toBe('2499')
    expect(Math.abs(Number(response.headers['x-ratelimit-reset']) - (nowSeconds() + 3600))).toBeLessThan(2)
  })

  it('forgets every count when the db Map is cleared', async () => {
    const db = new Map()
    const url = await serve(ratelimit({ driver: 'memory', db, max: 1 }))
    expect((await gets(url, 2)).map(({ statusCode }) => statusCode)).toEqual([200, 429])
    db.clear()
    expect((await get(url)).statusCode).toBe(200)
  })

  it.each([
    ['the defaults', {}, [{}, {}]],
    ['max and duration', { max: 2, duration: 60_000 }, [{}, {}, {}, {}]],
    [
      'custom header names and errorMessage',
      { max: 1, errorMessage: 'Slow down', headers: { remaining: 'A', reset: 'B', total: 'C' } },
      [{}, {}],
    ],
    ['disableHeader', { max: 1, disableHeader: true }, [{}, {}]],
    [
      'id returning false',
      { max: 1, id: (ctx: Context) => (ctx.get('x-id') === 'free' ? false : ctx.ip) },
      [{ 'x-id': 'free' }, { 'x-id': 'free' }, {}, {}],
    ],
    [
      'whitelist and blacklist',
      {
        max: 1,
        whitelist: (ctx: Context) => ctx.get('x-role') === 'admin',
        blacklist: (ctx: Context) => ctx.get('x-role') === 'bot',
      },
      [{ 'x-role': 'admin' }, { 'x-role': 'admin' }, { 'x-role': 'bot' }, {}, {}],
    ],
    ['throw', { max: 1, throw: true, errorMessage: 'Slow down' }, [{}, {}]],
    ['status', { max: 1, status: 503 }, [{}, {}]],
  ] as const)(
    'answers %s as koa-ratelimit itself: statuses, bodies, header names and counts',
    async (_title, options, requests) => {
      const seen = async (middleware: Middleware) => {
        const url = await serve(middleware)
        const answers = []
        for (const headers of requests) {
          const { statusCode, body, headers: sent } = await get(url, headers)
          const names = Object.keys(sent).filter(
            (name) => !['date', 'connection', 'keep-alive', 'content-length'].includes(name),
          )
          const counts = ['x-ratelimit-remaining', 'x-ratelimit-limit', 'a', 'c'].map((name) => sent[name])
          answers.push({
            statusCode,
            body: body.replace(/retry in .*\.$/, 'retry in <wait>.'),
            names: names.sort(),
            counts,
          })
        }
        return answers
      }
      const memory = { driver: 'memory', ...options } as Options
      const ours = await seen(ratelimit({ ...memory, db: new Map() }))
      expect(ours).toEqual(await seen(peer({ ...memory, db: new Map() })))
      expect(ours.length).toBe(requests.length)
    },
  )
})

describe.each([
  ['standalone', connectStandalone()],
  ['cluster', connectCluster()],
] as const)('the koa-ratelimit drop-in, redis driver (ioredis, %s)', (_name, db) => {
  it("answers the README's example: custom header names, errorMessage, id (typed as ratelimit.MiddlewareOptions)", async () => {
    const options: ratelimit.MiddlewareOptions = {
      driver: 'redis',
      db,
      namespace: uniquePrefix('koa-readme'),
      duration: 60_000,
      errorMessage: 'Sometimes You Just Have to Slow Down.',
      id: (ctx) => ctx.ip,
      headers: { remaining: 'Rate-Limit-Remaining', reset: 'Rate-Limit-Reset', total: 'Rate-Limit-Total' },
      max: 2,
      disableHeader: false,
    }
    const url = await serve(ratelimit(options))
    const [first, , refused] = await gets(url, 3)
    expect(first?.headers['rate-limit-total']).toBe('2')
    expect(first?.headers['rate-limit-remaining']).toBe('1')
    expect(Math.abs(Number(first?.headers['rate-limit-reset']) - (nowSeconds() + 60))).toBeLessThan(2)
    expect(first?.headers['x-ratelimit-limit']).toBeUndefined()
    expect([refused?.statusCode, refused?.body, refused?.headers['retry-after']]).toEqual([
      429,
      'Sometimes You Just Have to Slow Down.',
      '60',
    ])
  })

  it('lets exactly max of 30 concurrent requests through, across two middlewares on one db', async () => {
    const options = { driver: 'redis', db, namespace: uniquePrefix('koa-exact'), max: 10 } as const
    const urls = [await serve(ratelimit(options)), await serve(ratelimit(options))]
    const responses = await Promise.all(Array.from({ length: 30 }, (_, index) => get(urls[index % 2] as string)))
    const allowed = responses.filter(({ statusCode }) => statusCode === 200).length
    expect([allowed, responses.length - allowed]).toEqual([10, 20])
  })

  it('counts under namespace, one quota per id', async () => {
    const namespace = uniquePrefix('koa-ns')
    const url = await serve(ratelimit({ driver: 'redis', db, namespace, max: 1, id: (ctx) => ctx.get('x-user') }))
    expect((await get(url, { 'x-user': 'ann' })).statusCode).toBe(200)
    expect((await get(url, { 'x-user': 'bob' })).statusCode).toBe(200)
    expect((await get(url, { 'x-user': 'ann' })).statusCode).toBe(429)
  })
})

describe('the koa-ratelimit drop-in’s options', () => {
  const memory = { driver: 'memory', max: 1 } as const

  it('lets a request whose id is false through, unlimited and with no headers', async () => {
    const url = await serve(ratelimit({ ...memory, id: () => false }))
    const responses = await gets(url, 3)
    expect(responses.map(({ statusCode }) => statusCode)).toEqual([200, 200, 200])
    expect(responses[0]?.headers['x-ratelimit-limit']).toBeUndefined()
  })

  it('lets a whitelisted request through unlimited, and refuses a blacklisted one 403 Forbidden', async () => {
    const url = await serve(
      ratelimit({
        ...memory,
        whitelist: (ctx) => ctx.get('x-role') === 'admin',
        blacklist: async (ctx) => ctx.get('x-role') === 'abuser',
      }),
    )
    const admin = [await get(url, { 'x-role': 'admin' }), await get(url, { 'x-role': 'admin' })]
    expect(admin.map(({ statusCode }) => statusCode)).toEqual([200, 200])
    expect(admin[0]?.headers['x-ratelimit-limit']).toBeUndefined()
    const abuser = await get(url, { 'x-role': 'abuser' })
    expect([abuser.statusCode, abuser.body]).toEqual([403, 'Forbidden'])
    expect((await gets(url, 2)).map(({ statusCode }) => statusCode)).toEqual([200, 429])
  })

  it('sends no rate limit headers with disableHeader, but Retry-After on a refusal', async () => {
    const url = await serve(ratelimit({ ...memory, disableHeader: true }))
    const [allowed, refused] = await gets(url, 2)
    expect(Object.keys(allowed?.headers ?? {}).filter((name) => name.includes('ratelimit'))).toEqual([])
    expect(refused?.statusCode).toBe(429)
    expect(refused?.headers['retry-after']).toBe('3600')
  })

  it('calls onLimited with ctx, whose state.rateLimit holds after, headers, id and message', async () => {
    const states: unknown[] = []
    const url = await serve(ratelimit({ ...memory, onLimited: (ctx: Context) => states.push(ctx.state.rateLimit) }))
    await gets(url, 2)
    expect(states).toEqual([
      {
        after: 3600,
        headers: { 'X-RateLimit-Remaining': 0, 'X-RateLimit-Reset': expect.any(Number), 'X-RateLimit-Limit': 1 },
        id: '127.0.0.1',
        message: expect.stringMatching(/^Rate limit exceeded, retry in (60 minutes|1 hour)\.$/),
      },
    ])
  })

  it('throws the refusal with throw: true, its headers on the error, for the app’s error handling', async () => {
    const caught: { status?: number; message?: string; headers?: object }[] = []
    const url = await serve(ratelimit({ ...memory, throw: true, errorMessage: 'Slow down' }), (app) => {
      app.use(async (_ctx, next) => {
        try {
          await next()
        } catch (error) {
          caught.push(error as object)
          throw error
        }
      })
    })
    const [, refused] = await gets(url, 2)
    expect(caught).toMatchObject([
      { status: 429, message: 'Slow down', headers: { 'X-RateLimit-Remaining': 0, 'Retry-After': 3600 } },
    ])
    expect([refused?.statusCode, refused?.body, refused?.headers['retry-after']]).toEqual([429, 'Slow down', '3600'])
  })

  it('refuses with the status it is given', async () => {
    const url = await serve(ratelimit({ ...memory, status: 503 }))
    expect((await gets(url, 2)).map(({ statusCode }) => statusCode)).toEqual([200, 503])
  })

  it('takes max as a function of ctx', async () => {
    const url = await serve(ratelimit({ driver: 'memory', max: (ctx) => (ctx.get('x-plan') === 'pro' ? 2 : 1) }))
    expect((await get(url, { 'x-plan': 'pro' })).headers['x-ratelimit-limit']).toBe('2')
  })

  it('refuses a redis driver without a Redis client, an unknown driver and a bad max or duration, when made', () => {
    expect(() => ratelimit({})).toThrow(/`db`/)
    expect(() => ratelimit({ driver: 'memory', db: {} as Map<string, unknown> })).toThrow(/`db`/)
    expect(() => ratelimit({ driver: 'mongo' as 'memory' })).toThrow(/`driver`/)
    expect(() => ratelimit({ driver: 'memory', max: 0 })).toThrow(/`max`/)
    expect(() => ratelimit({ driver: 'memory', duration: -1 })).toThrow(/`duration`/)
  })
})
