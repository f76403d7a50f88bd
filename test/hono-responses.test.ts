import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rateLimit } from '../adapters/hono.js'
import { fixedWindow, RateLimiter } from '../src/index.js'

/** An app behind a limit of 5 a minute, with a response of each way Hono can come by one. */
function appOfResponses(): Hono {
  const app = new Hono()
  const limiter = new RateLimiter({ policy: fixedWindow({ limit: 5, windowMs: 60_000 }) })
  app.use(rateLimit({ limiter }))
  app.get('/text', (c) => c.text('hello'))
  app.get('/raw', () => new Response('raw', { headers: { 'x-own': 'kept' } }))
  app.get('/own', () => new Response('own', { headers: { RateLimit: 'mine' } }))
  app.get('/throws', () => {
    throw new Error('boom')
  })
  app.onError((_error, c) => c.text('failed', 500))
  return app
}

/** A Response the handler made itself: it keeps its own header and carries ours, `remaining` left. */
async function expectOwnHeaderAndOurs(raw: Response, remaining: number): Promise<void> {
  expect([await raw.text(), raw.headers.get('x-own'), raw.headers.get('ratelimit')]).toEqual([
    'raw',
    'kept',
    expect.stringMatching(new RegExp(`^"5-per-60s";r=${remaining};`)),
  ])
}

// Away from Node, the middleware sets the headers before the handler runs, for Hono to build them
// into its response; these are the responses Hono does not build through `c`.
describe('Hono responses not built through c (app.request)', () => {
  const app = appOfResponses()
  const env = { incoming: { socket: { remoteAddress: '198.51.100.7' } } }
  const get = (path: string) => app.request(path, {}, env)

  it('carry the headers, whichever way the response was made', async () => {
    const text = await get('/text')
    expect([text.status, text.headers.get('ratelimit')]).toEqual([200, expect.stringMatching(/^"5-per-60s";r=4;/)])
    await expectOwnHeaderAndOurs(await get('/raw'), 3)
    const failed = await get('/throws')
    expect([failed.status, failed.headers.get('ratelimit')]).toEqual([500, expect.stringMatching(/^"5-per-60s";r=2;/)])
  })
})

// On @hono/node-server the headers go on Node's response: every response carries them, and one the
// handler made with its own RateLimit header keeps that header.
describe('Hono responses on @hono/node-server', () => {
  const server = createAdaptorServer({ fetch: appOfResponses().fetch })
  let origin = ''
  beforeAll(async () => {
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening))
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((closed) => server.close(() => closed())))
  const get = (path: string) => fetch(origin + path)

  it('carry the headers, whichever way the response was made, and refuse with them too', async () => {
    const text = await get('/text')
    expect([await text.text(), text.headers.get('ratelimit')]).toEqual([
      'hello',
      expect.stringMatching(/^"5-per-60s";r=4;/),
    ])
    expect(text.headers.get('ratelimit-policy')).toMatch(/^"5-per-60s";q=5;w=60/)
    await expectOwnHeaderAndOurs(await get('/raw'), 3)
    const own = await get('/own')
    expect([await own.text(), own.headers.get('ratelimit')]).toEqual(['own', 'mine'])
    const failed = await get('/throws')
    expect([failed.status, failed.headers.get('ratelimit')]).toEqual([500, expect.stringMatching(/^"5-per-60s";r=1;/)])
    await get('/text')
    const refused = await get('/text')
    expect([refused.status, refused.headers.get('ratelimit'), refused.headers.get('retry-after')]).toEqual([
      429,
      expect.stringMatching(/^"5-per-60s";r=0;/),
      expect.stringMatching(/^\d+$/),
    ])
  })
})

// Away from Node (app.fetch, as on Workers, Deno and Bun): the request's own signal tells an
// aborted request, and the execution context keeps the refund running after the response.
describe('Hono away from Node, settling after the response', () => {
  it('makes no headers when none are asked for, on a Response the handler made itself', async () => {
    const app = new Hono()
    app.use(rateLimit({ limit: 5, windowMs: 60_000, standardHeaders: false }))
    app.get('/raw', () => new Response('raw'))
    const raw = await app.request('/raw', {}, { incoming: { socket: { remoteAddress: '198.51.100.8' } } })
    expect([raw.status, raw.headers.get('ratelimit'), raw.headers.get('retry-after')]).toEqual([200, null, null])
  })

  it('does not refund a request whose signal aborted, under skipFailedRequests', async () => {
    const app = new Hono()
    app.use(rateLimit({ limit: 1, windowMs: 60_000, skipFailedRequests: true, keyGenerator: () => 'one' }))
    const client = new AbortController()
    app.get('/', (c) => {
      client.abort()
      return c.text('failed', 500)
    })
    expect((await app.request(new Request('http://app.test/', { signal: client.signal }))).status).toBe(500)
    await new Promise((settled) => setTimeout(settled, 20))
    expect((await app.request('/')).status).toBe(429)
  })

  it('hands the refund to the execution context, which keeps it running after the response', async () => {
    const app = new Hono()
    app.use(rateLimit({ limit: 1, windowMs: 60_000, skipFailedRequests: true, keyGenerator: () => 'one' }))
    app.get('/', (c) => c.text('failed', 500))
    const pending: Promise<unknown>[] = []
    const executionCtx = {
      waitUntil: (promise: Promise<unknown>) => void pending.push(promise),
      passThroughOnException() {},
      props: {},
    }
    expect((await app.fetch(new Request('http://app.test/'), {}, executionCtx)).status).toBe(500)
    expect(pending).toHaveLength(1)
    await Promise.all(pending)
    expect((await app.fetch(new Request('http://app.test/'), {}, executionCtx)).status).toBe(500)
    // With nothing to refund, nothing is handed over.
    const counting = new Hono()
    counting.use(rateLimit({ limit: 5, windowMs: 60_000, keyGenerator: () => 'one' }))
    counting.get('/', (c) => c.text('ok'))
    pending.length = 0
    expect((await counting.fetch(new Request('http://app.test/'), {}, executionCtx)).status).toBe(200)
    expect(pending).toEqual([])
  })
})
