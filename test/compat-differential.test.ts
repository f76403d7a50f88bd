// The drop-in entries side by side with the packages they replace, installed here: the same options,
// the same requests, and the same answers (status, body, every rate limit header and the figures
// routes read), but where the migration guides name a difference.
import type express from 'express'
import { MemoryStore as PeerExpressMemoryStore, rateLimit as peerExpressRateLimit } from 'express-rate-limit'
import { type Context, Hono } from 'hono'
import { MemoryStore as PeerHonoMemoryStore, rateLimiter as peerRateLimiter } from 'hono-rate-limiter'
import { describe, expect, it } from 'vitest'
import { rateLimit as oursExpressRateLimit } from '../compat/express-rate-limit.js'
import { rateLimiter as oursRateLimiter } from '../compat/hono-rate-limiter.js'
import { recordingLogger, serveExpress } from './helpers/express-apps.js'

/** A response, reduced to what both must agree on; the reset instant to the second either side of it. */
interface Answer {
  readonly status: number
  readonly body: string
  readonly headers: Record<string, string>
}

const COMPARED =
  /^(content-type|retry-after|x-ratelimit-(limit|remaining)|ratelimit(-policy|-limit|-remaining|-reset)?)$/

/**
 * A draft-8 field as a Structured Fields parser reads it: spaces after `;` are insignificant, and
 * the partition key `pk` is each limiter's own hash of its own key (the guide names the difference).
 */
const parsedField = (value: string) => value.replace(/;\s*/g, ';').replace(/;pk=:[^:]*:/, '')

function answerOf(status: number, body: string, headers: Iterable<[string, string]>): Answer {
  const kept = [...headers]
    .filter(([name]) => COMPARED.test(name.toLowerCase()))
    .map(([name, value]) => [name, parsedField(value)])
  // resetTime is an instant: both are a window after the first request, by their own clocks.
  return { status, body: body.replace(/"resetTime":"[^"]+"/, '"resetTime":"…"'), headers: Object.fromEntries(kept) }
}

/** Either package's factory, called with the same options. */
type Factory = (options: object) => unknown

async function expressAnswers(rateLimit: Factory, options: object, paths: readonly string[]): Promise<Answer[]> {
  const get = await serveExpress(rateLimit({ ...options }) as express.RequestHandler)
  const answers = []
  for (const path of paths) {
    const response = await get(path)
    const headers = Object.entries(response.headers).map(([name, value]) => [name, String(value)] as [string, string])
    answers.push(answerOf(response.statusCode, response.body, headers))
  }
  return answers
}

describe('the express-rate-limit entry next to express-rate-limit 8', () => {
  it.each<[string, object, string[]]>([
    ['the defaults', {}, Array(7).fill('/')],
    ['draft-6 headers', { limit: 2, standardHeaders: true }, ['/', '/', '/']],
    [
      'draft-7 headers, no legacy ones',
      { limit: 2, standardHeaders: 'draft-7', legacyHeaders: false },
      ['/', '/', '/'],
    ],
    ['no headers at all', { limit: 1, standardHeaders: false, legacyHeaders: false }, ['/', '/']],
    ['draft-8 headers', { limit: 2, standardHeaders: 'draft-8' }, ['/', '/', '/']],
    [
      'draft-8 headers named by identifier',
      { limit: 2, standardHeaders: 'draft-8', identifier: 'api' },
      ['/', '/', '/'],
    ],
    ['a window of 15 minutes', { windowMs: 15 * 60_000, limit: 1, standardHeaders: 'draft-7' }, ['/', '/']],
    ['a message function', { limit: 1, message: (req: express.Request) => `no ${req.path}` }, ['/', '/']],
    ['the deprecated max', { max: 1 }, ['/', '/']],
    [
      'a skip function',
      { limit: 1, skip: (req: express.Request) => req.path === '/fail' },
      ['/fail', '/fail', '/', '/'],
    ],
    [
      'requestWasSuccessful',
      {
        limit: 1,
        skipSuccessfulRequests: true,
        requestWasSuccessful: (_req: unknown, res: express.Response) => res.statusCode === 500,
      },
      ['/fail', '/fail', '/', '/'],
    ],
    [
      'a handler reading the options used',
      {
        limit: 1,
        windowMs: 2 * 3_600_000,
        handler: (_req: unknown, res: express.Response, _next: unknown, used: Record<string, unknown>) => {
          const { statusCode, windowMs, limit, identifier, legacyHeaders, standardHeaders, message } = used
          res
            .status(statusCode as number)
            .json({ windowMs, limit, identifier, legacyHeaders, standardHeaders, message })
        },
      },
      ['/', '/'],
    ],
    [
      'draft-8 headers and a handler reading the options used',
      {
        limit: 1,
        standardHeaders: 'draft-8',
        handler: (_req: unknown, res: express.Response, _next: unknown, used: Record<string, unknown>) => {
          res.status(429).json({ identifier: used.identifier, standardHeaders: used.standardHeaders })
        },
      },
      ['/', '/'],
    ],
    ['draft-6 headers only', { limit: 1, standardHeaders: 'draft-6', legacyHeaders: false }, ['/', '/']],
    ['a JSON message', { limit: 1, message: { error: 'slow down' } }, ['/', '/']],
    ['a status and a Retry-After of its own', { limit: 1, statusCode: 420, retryAfter: 7 }, ['/', '/']],
    ['a custom property', { limit: 1, requestPropertyName: 'limits' }, ['/', '/']],
    ['a limit function', { limit: () => 2 }, ['/', '/', '/']],
    [
      'a handler that calls next()',
      { limit: 1, handler: (_req: unknown, _res: unknown, next: () => void) => next() },
      ['/', '/'],
    ],
    [
      'keys of its own',
      { limit: 2, keyGenerator: (req: express.Request) => String(req.query.key) },
      ['/?key=1', '/?key=1', '/?key=2', '/?key=1'],
    ],
    ['skipFailedRequests', { limit: 2, skipFailedRequests: true }, ['/fail', '/fail', '/', '/', '/']],
    ['skipSuccessfulRequests', { limit: 2, skipSuccessfulRequests: true }, ['/', '/', '/', '/fail', '/fail', '/fail']],
  ])('answers as it does with %s', async (_case, options, paths) => {
    const ours = await expressAnswers(oursExpressRateLimit as unknown as Factory, options, paths)
    const peer = await expressAnswers(peerExpressRateLimit as unknown as Factory, options, paths)
    expect(ours).toEqual(peer)
  })
})

async function honoAnswers(rateLimiter: Factory, options: object, paths: readonly string[]): Promise<Answer[]> {
  const app = new Hono()
  app.use(rateLimiter({ keyGenerator: () => 'client', ...options }) as Parameters<typeof app.use>[0])
  app.get('/', (c) => c.json(c.get('rateLimit' as never) ?? null))
  app.get('/fail', (c) => c.json(c.get('rateLimit' as never) ?? null, 400))
  const answers = []
  for (const path of paths) {
    const response = await app.request(path)
    answers.push(answerOf(response.status, await response.text(), response.headers))
  }
  return answers
}

describe('the hono-rate-limiter entry next to hono-rate-limiter 0.5', () => {
  it.each<[string, object, string[]]>([
    ['the defaults', {}, Array(7).fill('/')],
    ['draft-7 headers', { limit: 2, standardHeaders: 'draft-7' }, ['/', '/', '/']],
    ['a JSON message', { limit: 1, message: { error: 'slow down' } }, ['/', '/']],
    ['a message function', { limit: 1, message: () => 'Stop.' }, ['/', '/']],
    ['a status of its own', { limit: 1, statusCode: 420 }, ['/', '/']],
    ['a skip function', { limit: 1, skip: (c: Context) => c.req.path === '/fail' }, ['/fail', '/fail', '/', '/']],
    [
      'requestWasSuccessful',
      { limit: 1, skipSuccessfulRequests: true, requestWasSuccessful: (c: Context) => c.res.status === 400 },
      ['/fail', '/fail', '/', '/'],
    ],
    [
      'a handler reading the options used',
      {
        limit: 1,
        windowMs: 2 * 3_600_000,
        handler: (c: Context, _next: unknown, used: Record<string, unknown>) => {
          const { statusCode, windowMs, limit, standardHeaders, message, requestPropertyName } = used
          return c.json({ statusCode, windowMs, limit, standardHeaders, message, requestPropertyName }, 418)
        },
      },
      ['/', '/'],
    ],
    ['draft-6 headers, said as true', { limit: 1, standardHeaders: true }, ['/', '/']],
    ['no standard headers', { limit: 1, standardHeaders: false }, ['/', '/']],
    ['skipFailedRequests', { limit: 2, skipFailedRequests: true }, ['/fail', '/fail', '/', '/', '/']],
    ['a handler that calls next()', { limit: 1, handler: (_c: unknown, next: () => unknown) => next() }, ['/', '/']],
    ['a limit function', { limit: async () => 2 }, ['/', '/', '/']],
    ['a custom property', { limit: 1, requestPropertyName: 'limits' }, ['/', '/']],
    ['skipSuccessfulRequests', { limit: 2, skipSuccessfulRequests: true }, ['/', '/', '/', '/fail', '/fail', '/fail']],
  ])('answers as it does with %s', async (_case, options, paths) => {
    const ours = await honoAnswers(oursRateLimiter as unknown as Factory, options, paths)
    const peer = await honoAnswers(peerRateLimiter as unknown as Factory, options, paths)
    expect(ours).toEqual(peer)
  })
})

describe('the entries next to the peers on a store of the peers’ interface, with getKey and resetKey', () => {
  it('counts on express-rate-limit’s own MemoryStore as express-rate-limit does, and reads and resets a key alike', async () => {
    const outcomes = []
    for (const rateLimit of [oursExpressRateLimit as unknown as Factory, peerExpressRateLimit as unknown as Factory]) {
      const middleware = rateLimit({ limit: 2, store: new PeerExpressMemoryStore() }) as express.RequestHandler & {
        getKey(key: string): Promise<{ totalHits: number } | undefined>
        resetKey(key: string): unknown
      }
      const get = await serveExpress(middleware)
      const statuses = []
      for (let i = 0; i < 3; i++) statuses.push((await get('/')).statusCode)
      const hits = (await middleware.getKey('127.0.0.1'))?.totalHits
      await middleware.resetKey('127.0.0.1')
      outcomes.push({ statuses, hits, afterReset: (await get('/')).statusCode })
    }
    expect(outcomes[0]).toEqual(outcomes[1])
    expect(outcomes[0]).toEqual({ statuses: [200, 200, 429], hits: 3, afterReset: 200 })
  })

  it('counts on hono-rate-limiter’s own MemoryStore as hono-rate-limiter does', async () => {
    const outcomes = []
    for (const rateLimiter of [oursRateLimiter as unknown as Factory, peerRateLimiter as unknown as Factory]) {
      const store = new PeerHonoMemoryStore()
      const app = new Hono()
      app.use(rateLimiter({ limit: 2, keyGenerator: () => 'client', store }) as Parameters<typeof app.use>[0])
      app.get('/', async (c) => {
        const helpers = c.get('rateLimitStore' as never) as { getKey(key: string): Promise<{ totalHits: number }> }
        return c.json({ hits: (await helpers.getKey('client'))?.totalHits })
      })
      const answers = []
      for (let i = 0; i < 3; i++) {
        const response = await app.request('/')
        answers.push([response.status, response.status === 200 ? await response.json() : null])
      }
      outcomes.push({ answers, stored: store.get('client')?.totalHits })
    }
    expect(outcomes[0]).toEqual(outcomes[1])
  })
})

describe('the express-rate-limit entry’s validation checks next to express-rate-limit’s', () => {
  /** The codes each logs, errors and warnings apart, for the same options and requests. */
  async function codesOf(
    rateLimit: Factory,
    options: object,
    requests: Record<string, string>[],
    setup?: (app: express.Express) => void,
  ): Promise<{ errors: string[]; warnings: string[] }> {
    const { errors, warnings, logger } = recordingLogger()
    const get = await serveExpress(rateLimit({ ...options, logger }) as express.RequestHandler, setup)
    for (const headers of requests) await get('/', headers)
    const codes = (lines: string[]) => lines.map((line) => line.split(' ')[0] ?? '')
    return { errors: codes(errors), warnings: codes(warnings) }
  }

  it.each<[string, object, Record<string, string>[], ((app: express.Express) => void)?]>([
    ['a sound configuration', { limit: 3 }, [{}, {}]],
    ['an unknown option', { windowMS: 1_000 }, [{}]],
    ['an unknown validation', { validate: { noSuchCheck: false } }, [{}]],
    ['a limit of 0', { limit: 0 }, [{}]],
    ['an ipv6Subnet out of range', { ipv6Subnet: 20 }, [{}]],
    ['a keyGenerator reading req.ip', { keyGenerator: (req: express.Request) => req.ip ?? '' }, [{}]],
    ['an unknown draft', { standardHeaders: 'draft-5' }, [{}]],
    ['X-Forwarded-For while no proxy is trusted', {}, [{ 'x-forwarded-for': '203.0.113.9' }, {}]],
    ['a Forwarded header', {}, [{ forwarded: 'for=203.0.113.9' }]],
    ['trust proxy true', {}, [{}], (app) => app.set('trust proxy', true)],
    ['the removed onLimitReached', { onLimitReached: () => undefined }, [{}]],
  ])('logs the same codes for %s', async (name, options, requests, setup) => {
    const ours = await codesOf(oursExpressRateLimit as unknown as Factory, options, requests, setup)
    const peer = await codesOf(peerExpressRateLimit as unknown as Factory, options, requests, setup)
    expect(ours).toEqual(peer)
    // Something to compare: each case but the sound one logs.
    expect(peer.errors.length + peer.warnings.length > 0).toBe(name !== 'a sound configuration')
  })
})
