// Penalties over HTTP, in every adapter, on the memory store and on Redis: a ban answers 403 with a
// problem that says so and an honest Retry-After (a got client that waits it gets through), and
// continueExceeding keeps a client that keeps knocking at 429 until it waits a whole window.
import { setTimeout as sleep } from 'node:timers/promises'
import got from 'got'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { RateLimiter } from '../src/index.js'
import { harnesses, type TestApp } from './helpers/adapters.js'
import { uniquePrefix } from './helpers/redis.js'
import { socketHarnesses } from './helpers/socket-apps.js'
import { createStore } from './helpers/stores.js'

const HOUR = 3_600_000
const BANNED_TYPE = 'https://www.npmjs.com/package/atomic-ratelimit#penalties-over-http'
const stores = { memory: () => undefined, redis: () => createStore('standalone') }

describe.each(Object.entries(stores))('a ban over HTTP, %s store', (_storeName, makeStore) => {
  const store = makeStore()

  describe.each(harnesses)('in the $name adapter', (harness) => {
    let app: TestApp | undefined
    afterEach(async () => {
      await app?.close()
      app = undefined
    })

    it('answers 403 with a banned problem, the headers and Retry-After = the ban left; 429 before it starts', async () => {
      const prefix = uniquePrefix(`ban-${harness.name.replace(' ', '')}`)
      const ban = { afterRefusals: 2, durationMs: HOUR }
      // An hour's window: a minute's, numbered from the epoch, could end between two requests.
      const options = { limit: 1, windowMs: HOUR, prefix, ban, ...(store && { store }) }
      app = await harness.build([{ path: '/a', options }])
      expect((await app.get('/a/ok')).status).toBe(200)
      const refused = await app.get('/a/ok')
      expect(refused.status).toBe(429)
      expect(JSON.parse(refused.text)).toMatchObject({ status: 429, title: 'Quota Exceeded' })
      for (const attempt of ['starts the ban', 'meets the ban in force']) {
        const banned = await app.get('/a/ok')
        expect(banned.status, attempt).toBe(403)
        expect(banned.headers.get('Content-Type')).toMatch(/^application\/problem\+json/)
        expect(JSON.parse(banned.text)).toEqual({
          type: BANNED_TYPE,
          title: 'Banned',
          status: 403,
          detail: expect.stringMatching(/^Banned after too many refused requests; retry in \d+ s\.$/),
        })
        expect(Number(banned.headers.get('Retry-After'))).toBeGreaterThan(3_590)
        expect(Number(banned.headers.get('Retry-After'))).toBeLessThanOrEqual(3_600)
        expect(banned.headers.get('RateLimit')).toMatch(/^"1-per-3600s";r=0;t=\d+;pk=/)
      }
    })

    it('answers a ban with banStatusCode', async () => {
      const ban = { afterRefusals: 1 }
      const options = { limit: 1, ban, banStatusCode: 423, prefix: uniquePrefix('ban-status'), ...(store && { store }) }
      app = await harness.build([{ path: '/a', options }])
      await app.get('/a/ok')
      const banned = await app.get('/a/ok')
      expect([banned.status, JSON.parse(banned.text).status]).toEqual([423, 423])
    })
  })
})

describe.each(Object.entries(stores))('Retry-After of a ban, %s store', (storeName, makeStore) => {
  const store = makeStore()

  it.concurrent.each(socketHarnesses)(
    'lets a got client that waits it through ($name)',
    { tags: ['waits'] },
    async (harness) => {
      const prefix = uniquePrefix(`ban-got-${harness.name.replace(' ', '')}`)
      // One per 2 s from the first request, and a 2 s ban from the first refusal (2 s at most after
      // it): the client waits the ban, by then the window is over too, and it passes.
      const window = { limit: 1, windowMs: 2_000, anchor: 'first-request' }
      const options = { ...window, prefix, ban: { afterRefusals: 1, durationMs: 2_000 }, ...(store && { store }) }
      const app = await harness.start({ options, route: async () => 200 })
      try {
        expect((await got(app.url)).statusCode).toBe(200)
        const told: number[] = []
        const retry = { limit: 1, statusCodes: [403], methods: ['GET' as const], maxRetryAfter: 10_000 }
        const hooks = {
          beforeRetry: [
            (error: { response?: { headers: Record<string, unknown> } }) => {
              told.push(Number(error.response?.headers['retry-after']))
            },
          ],
        }
        const response = await got(app.url, { retry, hooks })
        expect([response.statusCode, told], storeName).toEqual([200, [2]])
      } finally {
        await app.close()
      }
    },
  )
})

describe('continueExceeding over HTTP, memory store', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it.each(harnesses)(
    'keeps a client that keeps knocking at 429 until it waits a whole window ($name)',
    async (harness) => {
      const start = Math.ceil(Date.now() / HOUR) * HOUR
      vi.useFakeTimers({ toFake: ['Date'], now: start })
      const app = await harness.build([
        { path: '/a', options: { limit: 1, windowMs: 60_000, continueExceeding: true } },
      ])
      try {
        expect((await app.get('/a/ok')).status).toBe(200)
        // Knocking every 40 s: each refusal closes the next whole minute, though new windows began.
        for (const atMs of [1_000, 41_000, 81_000, 121_000]) {
          vi.setSystemTime(start + atMs)
          const refused = await app.get('/a/ok')
          expect(refused.status, `at ${atMs / 1000} s`).toBe(429)
          expect(refused.headers.get('Retry-After')).toBe('60')
        }
        vi.setSystemTime(start + 181_000)
        expect((await app.get('/a/ok')).status).toBe(200)
      } finally {
        await app.close()
      }
    },
  )
})

describe('continueExceeding over HTTP, Redis store', () => {
  const store = createStore('standalone')

  it.concurrent.each(harnesses)(
    'refuses a client knocking across window edges, then lets it in ($name)',
    { tags: ['waits'] },
    async (harness) => {
      const prefix = uniquePrefix(`continue-${harness.name.replace(' ', '')}`)
      const options = { store, prefix, limit: 1, windowMs: 1_000, continueExceeding: true }
      const app = await harness.build([{ path: '/a', options }])
      try {
        // Just after a window's start (Redis and this process read one clock): the first knock comes
        // in the window of the request it follows, however slow a loaded machine answers.
        await sleep(1_000 - (Date.now() % 1_000) + 20)
        expect((await app.get('/a/ok')).status).toBe(200)
        // Six knocks 300 ms apart span at least one window edge, where the policy alone would allow.
        const statuses: number[] = []
        for (let knock = 0; knock < 6; knock++) {
          statuses.push((await app.get('/a/ok')).status)
          await sleep(300)
        }
        expect(statuses).toEqual([429, 429, 429, 429, 429, 429])
        const last = await app.get('/a/ok')
        expect(last.headers.get('Retry-After')).toBe('1')
        await sleep(1_050)
        expect((await app.get('/a/ok')).status).toBe(200)
      } finally {
        await app.close()
      }
    },
  )
})

describe('penalty options with a ready limiter', () => {
  it.each(harnesses)('are an error, as the other limiter options are ($name)', async (harness) => {
    const limiter = new RateLimiter()
    for (const penalty of [{ ban: { afterRefusals: 1 } }, { continueExceeding: true }, { countRefusals: true }])
      await expect(harness.build([{ path: '/a', options: { limiter, ...penalty } }])).rejects.toThrow(
        `Expected \`${Object.keys(penalty)[0]}\` to be left out when \`limiter\` is given`,
      )
  })
})
