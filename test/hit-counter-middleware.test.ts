// HitCounterStore behind the middleware that use its interface, unmodified: express-rate-limit on a
// real Express server reached with got, and hono-rate-limiter on Hono, on the memory store and Redis.
import type { AddressInfo } from 'node:net'
import express, { type ErrorRequestHandler, type RequestHandler } from 'express'
import { rateLimit } from 'express-rate-limit'
import got from 'got'
import { Hono } from 'hono'
import { rateLimiter } from 'hono-rate-limiter'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { HitCounterStore, RedisStore, type Store, StoreUnavailableError } from '../src/index.js'
import { privateRedis, uniquePrefix } from './helpers/redis.js'
import { createStore } from './helpers/stores.js'

const kinds = ['memory', 'standalone', 'cluster'] as const
/** The key every request is counted under, so tests need not know how each middleware reads IPs. */
const KEY = 'client'
const byClient = () => KEY

/** An Express app behind `limiter`: `/ok` answers 200 with `req.rateLimit`, `/fail` 500. */
async function serveExpress(limiter: RequestHandler, routes?: (app: express.Express) => void) {
  const app = express()
  app.use(limiter)
  routes?.(app)
  app.get('/ok', (req, res) => {
    res.json((req as { rateLimit?: unknown }).rateLimit)
  })
  app.get('/fail', (_req, res) => {
    res.sendStatus(500)
  })
  app.use(((error, _req, res, _next) => {
    res.status(500).send(`error: ${(error as Error).name}`)
  }) satisfies ErrorRequestHandler)
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  afterAll(() => new Promise((resolve) => server.close(resolve)))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return (path: string) => got(`${base}${path}`, { throwHttpErrors: false, retry: { limit: 0 } })
}

/** The `r` (remaining) and `t` (seconds to reset) of a draft-8 `RateLimit` header. */
function draft8(header: string | string[] | undefined): { r: number; t: number } {
  const text = String(header)
  return { r: Number(/r=(\d+)/.exec(text)?.[1]), t: Number(/t=(\d+)/.exec(text)?.[1]) }
}

describe.each(kinds)('express-rate-limit with a HitCounterStore on the %s store', (kind) => {
  const store = createStore(kind)
  const hitsOn = () => new HitCounterStore({ store, prefix: uniquePrefix('erl'), timeoutMs: 10_000 })

  it('passes 5 requests of a limit of 5 and answers the 6th with 429, its headers from our counts', async () => {
    const hits = hitsOn()
    const options = { windowMs: 60_000, limit: 5, keyGenerator: byClient, standardHeaders: 'draft-8' } as const
    const limiter = rateLimit({ ...options, store: hits })
    const get = await serveExpress(limiter)
    const responses = []
    for (let request = 0; request < 6; request++) responses.push(await get('/ok'))
    expect(responses.map((response) => response.statusCode)).toEqual([200, 200, 200, 200, 200, 429])
    expect(responses.slice(0, 5).map((response) => JSON.parse(response.body).used)).toEqual([1, 2, 3, 4, 5])
    expect(responses.map((response) => draft8(response.headers.ratelimit).r)).toEqual([4, 3, 2, 1, 0, 0])
    expect(responses.map((response) => response.headers['x-ratelimit-remaining'])).toEqual([
      '4',
      '3',
      '2',
      '1',
      '0',
      '0',
    ])
    const { resetTime } = (await hits.get(KEY)) as { resetTime: Date }
    const resetSeconds = String(Math.ceil(resetTime.getTime() / 1000))
    for (const response of responses) {
      expect(response.headers['x-ratelimit-reset']).toBe(resetSeconds)
      expect(draft8(response.headers.ratelimit).t).toBeGreaterThanOrEqual(59)
    }
    expect(Number(responses[5]?.headers['retry-after'])).toBeGreaterThanOrEqual(59)
  })

  it('gives back the hits of failed requests with skipFailedRequests, never below zero', async () => {
    const hits = hitsOn()
    const limiter = rateLimit({ limit: 3, keyGenerator: byClient, skipFailedRequests: true, store: hits })
    // A failed request whose count was reset meanwhile: its hit is already gone, nothing to give back.
    const get = await serveExpress(limiter, (app) =>
      app.get('/reset-then-fail', async (_req, res) => {
        await hits.resetKey(KEY)
        res.sendStatus(500)
      }),
    )
    for (const path of ['/fail', '/fail', '/reset-then-fail', '/reset-then-fail', '/fail']) {
      expect((await get(path)).statusCode).toBe(500)
      // express-rate-limit gives the hit back after the response: wait until it has.
      await vi.waitFor(async () => expect(await hits.get(KEY)).toBeUndefined())
    }
    const statuses = []
    for (let request = 0; request < 4; request++) statuses.push((await get('/ok')).statusCode)
    expect(statuses).toEqual([200, 200, 200, 429])
  })

  it('leaves a later window alone when a failed request ends after its own window', async () => {
    const hits = hitsOn()
    const limiter = rateLimit({
      windowMs: 1_000,
      limit: 5,
      keyGenerator: byClient,
      skipFailedRequests: true,
      store: hits,
    })
    let openNextWindow = () => {}
    const nextWindowOpen = new Promise<void>((resolve) => {
      openNextWindow = resolve
    })
    const get = await serveExpress(limiter, (app) =>
      app.get('/slow-fail', async (_req, res) => {
        await nextWindowOpen
        res.sendStatus(500)
      }),
    )
    const slow = get('/slow-fail')
    await vi.waitFor(async () => expect(await hits.get(KEY)).toBeDefined())
    const { resetTime } = (await hits.get(KEY)) as { resetTime: Date }
    await new Promise((resolve) => setTimeout(resolve, resetTime.getTime() - Date.now() + 20))
    expect(JSON.parse((await get('/ok')).body).used).toBe(1)
    openNextWindow()
    expect((await slow).statusCode).toBe(500)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect((await hits.get(KEY))?.totalHits).toBe(1)
  })

  it("lets a refused client through again after the middleware's resetKey, and reports its hits with getKey", async () => {
    const limiter = rateLimit({ limit: 2, keyGenerator: byClient, store: hitsOn() })
    const get = await serveExpress(limiter)
    const statuses = []
    for (let request = 0; request < 3; request++) statuses.push((await get('/ok')).statusCode)
    expect(statuses).toEqual([200, 200, 429])
    expect(await limiter.getKey(KEY)).toMatchObject({ totalHits: 3 })
    await limiter.resetKey(KEY)
    expect((await get('/ok')).statusCode).toBe(200)
    expect(await limiter.getKey(KEY)).toMatchObject({ totalHits: 1 })
  })
})

describe('express-rate-limit with a HitCounterStore on a stopped Redis', () => {
  const redis = privateRedis()
  const logger = { error: vi.fn(), warn: vi.fn() }
  const limiterWith = (passOnStoreError: boolean) =>
    rateLimit({
      keyGenerator: byClient,
      passOnStoreError,
      logger,
      store: new HitCounterStore({ store: new RedisStore({ client: redis.client }), prefix: uniquePrefix('down') }),
    })

  it.each([
    [true, 200, 'lets the request through'],
    [false, 500, "passes the store's error to Express"],
  ])('with passOnStoreError %s %i: %s', async (passOnStoreError, status) => {
    const get = await serveExpress(limiterWith(passOnStoreError))
    expect((await get('/ok')).statusCode).toBe(200)
    await redis.server.stop()
    try {
      const response = await get('/ok')
      expect(response.statusCode).toBe(status)
      if (!passOnStoreError) expect(response.body).toBe('error: StoreUnavailableError')
      else
        expect(logger.error).toHaveBeenCalledWith(
          expect.any(StoreUnavailableError),
          expect.stringContaining('allowing request without rate-limiting'),
        )
    } finally {
      await redis.server.start()
      await redis.client.ping() // answered once the client is back: the next test starts on a working store
    }
  })
})

describe('hono-rate-limiter with a HitCounterStore on a stopped Redis', () => {
  const redis = privateRedis()

  it("passes the store's error to Hono's error handler", async () => {
    const store = new HitCounterStore({ store: new RedisStore({ client: redis.client }), prefix: uniquePrefix('down') })
    const app = new Hono()
    app.use(rateLimiter({ limit: 5, keyGenerator: byClient, store }))
    app.get('/ok', (c) => c.text('ok'))
    app.onError((error, c) => c.text(`error: ${error.name}`, 500))
    expect((await app.request('/ok')).status).toBe(200)
    await redis.server.stop()
    try {
      const response = await app.request('/ok')
      expect(response.status).toBe(500)
      expect(await response.text()).toBe('error: StoreUnavailableError')
    } finally {
      await redis.server.start()
    }
  })
})

describe.each(kinds)('hono-rate-limiter with a HitCounterStore on the %s store', (kind) => {
  const store: Store = createStore(kind)
  const hitsOn = () => new HitCounterStore({ store, prefix: uniquePrefix('hono'), timeoutMs: 10_000 })

  function honoApp(options: { limit: number; hits: HitCounterStore; skipFailedRequests?: boolean }) {
    const app = new Hono()
    app.use(rateLimiter({ windowMs: 60_000, keyGenerator: byClient, store: options.hits, ...options }))
    app.get('/ok', (c) => c.text('ok'))
    app.get('/fail', (c) => c.text('failed', 500))
    return app
  }

  it('passes 5 requests of a limit of 5 and answers the 6th with 429, its headers from our counts', async () => {
    const app = honoApp({ limit: 5, hits: hitsOn() })
    const responses = []
    for (let request = 0; request < 6; request++) responses.push(await app.request('/ok'))
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200, 429])
    const remaining = responses.map((response) => response.headers.get('RateLimit-Remaining'))
    expect(remaining).toEqual(['4', '3', '2', '1', '0', '0'])
    for (const response of responses) expect(Number(response.headers.get('RateLimit-Reset'))).toBeGreaterThanOrEqual(59)
    expect(Number(responses[5]?.headers.get('Retry-After'))).toBeGreaterThanOrEqual(59)
  })

  it('gives back the hits of failed requests with skipFailedRequests', async () => {
    const hits = hitsOn()
    const app = honoApp({ limit: 3, hits, skipFailedRequests: true })
    for (let request = 0; request < 5; request++) expect((await app.request('/fail')).status).toBe(500)
    expect(await hits.get(KEY)).toBeUndefined()
    const statuses = []
    for (let request = 0; request < 4; request++) statuses.push((await app.request('/ok')).status)
    expect(statuses).toEqual([200, 200, 200, 429])
  })
})
