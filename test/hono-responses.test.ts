import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { rateLimit } from '../adapters/hono.js'
import { fixedWindow, RateLimiter } from '../src/index.js'

// The middleware sets the headers before the handler runs, for Hono to build them into its
// response; these are the responses Hono does not build through `c`.
describe('Hono responses not built through c', () => {
  const app = new Hono()
  const limiter = new RateLimiter({ policy: fixedWindow({ limit: 5, windowMs: 60_000 }) })
  app.use(rateLimit({ limiter }))
  app.get('/text', (c) => c.text('hello'))
  app.get('/raw', () => new Response('raw', { headers: { 'x-own': 'kept' } }))
  app.get('/throws', () => {
    throw new Error('boom')
  })
  app.onError((_error, c) => c.text('failed', 500))
  const env = { incoming: { socket: { remoteAddress: '198.51.100.7' } } }
  const get = (path: string) => app.request(path, {}, env)

  it('carry the headers, whichever way the response was made', async () => {
    const text = await get('/text')
    expect([text.status, text.headers.get('ratelimit')]).toEqual([200, expect.stringMatching(/^"5-per-60s";r=4;/)])
    const raw = await get('/raw')
    expect([await raw.text(), raw.headers.get('x-own'), raw.headers.get('ratelimit')]).toEqual([
      'raw',
      'kept',
      expect.stringMatching(/^"5-per-60s";r=3;/),
    ])
    const failed = await get('/throws')
    expect([failed.status, failed.headers.get('ratelimit')]).toEqual([500, expect.stringMatching(/^"5-per-60s";r=2;/)])
  })
})
