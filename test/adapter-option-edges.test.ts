// Adapter options at their edges, on the fetch guard (the thinnest adapter): hooks given one at a
// time, per-request limits named in the headers, the anchored window, and option values just
// inside and just outside what is taken.
import { Hono } from 'hono'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { type FetchRateLimitOptions, rateLimit } from '../adapters/fetch.js'
import { rateLimit as honoRateLimit } from '../adapters/hono.js'
import { RateLimitOptionsError } from '../src/index.js'

const CLIENT = { ip: '192.0.2.1' }
const HOUR = 3_600_000

/** The statuses of `count` requests from one client, and the last request's rate limit headers. */
async function run(options: FetchRateLimitOptions, count: number) {
  const guard = rateLimit(options)
  const statuses: number[] = []
  let headers = new Headers()
  for (let sent = 0; sent < count; sent++) {
    const request = new Request('http://app.test/')
    const refused = await guard(request, CLIENT)
    statuses.push(refused?.status ?? 200)
    headers = refused?.headers ?? guard.headersOf(request)
  }
  return { statuses, headers }
}

describe('hooks given alone', () => {
  it('runs onRefusal alone while refusals are counted, and onLimitReached alone under a ban', async () => {
    const refusals: number[] = []
    const counted = await run(
      { limit: 1, countRefusals: true, onRefusal: (_, result) => refusals.push(result.refusals) },
      3,
    )
    expect(counted.statuses).toEqual([200, 429, 429])
    expect(refusals).toEqual([1, 2])
    const reached: boolean[] = []
    const ban = { afterRefusals: 1, durationMs: HOUR }
    const banned = await run({ limit: 1, ban, onLimitReached: (_, result) => reached.push(result.banned) }, 3)
    expect(banned.statuses).toEqual([200, 403, 403])
    expect(reached).toEqual([true])
  })

  it('logs nothing for a hook that returns nothing', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    onTestFinished(() => logged.mockRestore())
    let called = 0
    const { statuses } = await run({ limit: 1, onRefusal: () => void called++ }, 2)
    expect([statuses, called]).toEqual([[200, 429], 1])
    expect(logged).not.toHaveBeenCalled()
  })

  it('takes countRefusals: false with no onLimitReached', () => {
    expect(() => rateLimit({ countRefusals: false })).not.toThrow()
  })
})

describe('policy names and windows the adapter builds', () => {
  it.each<[FetchRateLimitOptions, string]>([
    [{ limit: () => 5 }, '"limit-per-60s"'],
    [{ limit: 5, windowMs: () => 1_000 }, '"5-per-window"'],
    [{ limit: () => 5, windowMs: () => 1_000 }, '"limit-per-window"'],
    [{ limit: 5 }, '"5-per-60s"'],
  ])('names the policy of %o %s in RateLimit-Policy', async (options, name) => {
    const { headers } = await run({ ...options, standardHeaders: 'draft-8' }, 1)
    expect(headers.get('RateLimit-Policy')).toMatch(new RegExp(`^${name};q=`))
  })

  it('starts an anchored window at the first request', async () => {
    const { headers } = await run({ limit: 5, windowMs: HOUR, anchor: 'first-request', standardHeaders: 'draft-7' }, 1)
    expect(headers.get('RateLimit')).toBe('limit=5, remaining=4, reset=3600')
  })
})

describe('the refusal body', () => {
  it('says in its detail how long to wait', async () => {
    const guard = rateLimit({ limit: 1 })
    await guard(new Request('http://app.test/'), CLIENT)
    const refused = await guard(new Request('http://app.test/'), CLIENT)
    const retryAfter = refused?.headers.get('Retry-After')
    expect(await refused?.json()).toMatchObject({
      title: 'Quota Exceeded',
      detail: `Too many requests; retry in ${retryAfter} s.`,
    })
  })
})

describe('option values at their edges', () => {
  it.each<[string, FetchRateLimitOptions]>([
    ['trustProxy -1', { trustProxy: -1 }],
    ['trustProxy 1.5', { trustProxy: 1.5 }],
    ['a message that is an array', { message: ['too many'] as never }],
  ])('refuses %s, naming the option', (_label, options) => {
    const option = Object.keys(options)[0] as string
    expect(() => rateLimit(options)).toThrow(RateLimitOptionsError)
    expect(() => rateLimit(options)).toThrow(`\`${option}\``)
  })

  it('takes trustProxy 0: no proxy trusted', async () => {
    const guard = rateLimit({ limit: 1, trustProxy: 0 })
    const from = (forwardedFor: string) =>
      new Request('http://app.test/', { headers: { 'X-Forwarded-For': forwardedFor } })
    expect(await guard(from('198.51.100.1'), CLIENT)).toBeUndefined()
    expect((await guard(from('198.51.100.2'), CLIENT))?.status).toBe(429)
  })
})

describe('Hono on a server whose response takes no headers', () => {
  it.each([['a response with no setHeader', { outgoing: {} }]])(
    'sets them on the Response instead: %s',
    async (_label, env) => {
      const app = new Hono()
      app.use(honoRateLimit({ limit: 2, keyGenerator: () => 'k' }))
      app.get('/', (c) => c.text('ok'))
      const response = await app.request('/', {}, env)
      expect(response.status).toBe(200)
      expect(response.headers.get('RateLimit')).toMatch(/;r=1;/)
    },
  )
})

describe('Hono on a server that gives part of the peer', () => {
  it.each([
    ['a Node request with no socket', { incoming: {} }],
    ['Bun with no address', { requestIP: () => null }],
    ['Deno with no remoteAddr', { remoteAddr: undefined }],
  ])('keys %s as unknown-client, and answers', async (_label, env) => {
    const app = new Hono()
    app.use(honoRateLimit({ limit: 1 }))
    app.get('/', (c) => c.text('ok'))
    expect((await app.request('/', {}, env)).status).toBe(200)
    expect((await app.request('/', {}, {})).status).toBe(429)
  })
})
