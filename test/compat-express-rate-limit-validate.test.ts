// express-rate-limit's validation checks through the drop-in entry: each misconfiguration its
// documentation lists is logged (never thrown) with its code, once per middleware, through `logger`,
// a change warning through `logger.warn`; `validate` turns them off, all or by name.
import type { Request, Response } from 'express'
import { describe, expect, it } from 'vitest'
import { type ClientRateLimitInfo, type Options, rateLimit, type Store } from '../compat/express-rate-limit.js'
import { RedisStore } from '../src/index.js'
import { inARow, recordingLogger, serveExpress } from './helpers/express-apps.js'
import { connectStandalone, uniquePrefix } from './helpers/redis.js'

/** A middleware made with `options` and a recording logger; what it logged at setup and on requests. */
function logged(options: Record<string, unknown> = {}) {
  const { logger, errors, warnings } = recordingLogger()
  return { limiter: rateLimit({ ...options, logger } as Partial<Options>), errors, warnings }
}

/** A store of express-rate-limit's interface that answers `hits` every time. */
function answering(hits: ClientRateLimitInfo): Store {
  return { increment: async () => hits, decrement: async () => {}, resetKey: async () => {} }
}

describe('the checks at setup', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['an unknown option', { windowMS: 1_000 }, ['ERR_ERL_UNKNOWN_OPTION']],
    ['a validation name that is none', { validate: { xForwardedFor: false } }, ['ERR_ERL_UNKNOWN_VALIDATION']],
    ['an ipv6Subnet outside 32 to 64', { ipv6Subnet: 20 }, ['ERR_ERL_IPV6_SUBNET']],
    [
      'ipv6Subnet beside a keyGenerator',
      { ipv6Subnet: 48, keyGenerator: (req: Request) => req.get('x-user') ?? '' },
      ['ERR_ERL_IPV6SUBNET_OR_KEYGENERATOR'],
    ],
    [
      'a keyGenerator that reads req.ip without ipKeyGenerator',
      { keyGenerator: (req: Request) => req.ip ?? '' },
      ['ERR_ERL_KEY_GEN_IPV6'],
    ],
    ['an unknown draft', { standardHeaders: 'draft-5' }, ['ERR_ERL_HEADERS_UNSUPPORTED_DRAFT_VERSION']],
  ])('logs %s as an error', (_case, options, codes) => {
    const { errors, warnings } = logged(options)
    expect(errors).toEqual(codes)
    expect(warnings).toEqual([])
  })

  it('takes express-slow-down’s options without a word', () => {
    expect(logged({ delayAfter: 1, delayMs: () => 500, maxDelayMs: 2_000 }).errors).toEqual([])
  })

  it('warns of the removed onLimitReached and draft_polli_ratelimit_headers, and never calls onLimitReached', async () => {
    let called = false
    const { limiter, errors, warnings } = logged({
      limit: 1,
      onLimitReached: () => {
        called = true
      },
      draft_polli_ratelimit_headers: true,
    })
    await inARow(await serveExpress(limiter), 2)
    expect(warnings).toEqual(['WRN_ERL_DEPRECATED_DRAFT_POLLI_HEADERS', 'WRN_ERL_DEPRECATED_ON_LIMIT_REACHED'])
    expect(errors).toEqual(['ERR_ERL_UNKNOWN_OPTION'])
    expect(called).toBe(false)
  })

  it('logs a store given to a second middleware', () => {
    const store = answering({ totalHits: 1, resetTime: undefined })
    expect(logged({ store }).errors).toEqual([])
    expect(logged({ store }).errors).toEqual(['ERR_ERL_STORE_REUSE'])
  })

  it('logs a middleware made while answering a request', async () => {
    const made: string[][] = []
    const get = await serveExpress((_req: Request, res: Response) => {
      made.push(logged().errors)
      res.end()
    })
    await get('/')
    expect(made).toEqual([['ERR_ERL_CREATED_IN_REQUEST_HANDLER']])
  })

  it('logs nothing for a sound configuration', async () => {
    const { limiter, errors, warnings } = logged({ limit: 10, standardHeaders: 'draft-8' })
    await inARow(await serveExpress(limiter), 3)
    expect([...errors, ...warnings]).toEqual([])
  })
})

describe('the checks on requests', () => {
  it('logs X-Forwarded-For while Express trusts no proxy, once', async () => {
    const { limiter, errors } = logged()
    const get = await serveExpress(limiter)
    await get('/', { 'x-forwarded-for': '198.51.100.7' })
    await get('/', { 'x-forwarded-for': '198.51.100.8' })
    expect(errors).toEqual(['ERR_ERL_UNEXPECTED_X_FORWARDED_FOR'])
  })

  it('logs `trust proxy` true, which lets any client choose its key', async () => {
    const { limiter, errors } = logged()
    await (await serveExpress(limiter, (app) => app.set('trust proxy', true)))('/')
    expect(errors).toEqual(['ERR_ERL_PERMISSIVE_TRUST_PROXY'])
  })

  it('logs a Forwarded header that Express does not read', async () => {
    const { limiter, errors } = logged()
    await (await serveExpress(limiter))('/', { forwarded: 'for=198.51.100.7' })
    expect(errors).toEqual(['ERR_ERL_FORWARDED_HEADER'])
  })

  it('logs a request IP that is no IP address', async () => {
    const { limiter, errors } = logged()
    const unresolved = (req: Request, _res: Response, next: () => void) => {
      Object.defineProperty(req, 'ip', { value: 'proxy.internal' })
      next()
    }
    expect((await (await serveExpress([unresolved, limiter]))('/')).statusCode).toBe(200)
    expect(errors).toEqual(['ERR_ERL_INVALID_IP_ADDRESS'])
  })

  it('logs a store count that is no positive integer, and a missing reset time draft-7 needs', async () => {
    const { limiter, errors } = logged({
      store: answering({ totalHits: 0, resetTime: undefined }),
      standardHeaders: 'draft-7',
    })
    await (await serveExpress(limiter))('/')
    expect(errors).toEqual(['ERR_ERL_INVALID_HITS', 'ERR_ERL_HEADERS_NO_RESET'])
  })

  it('logs a request counted twice for one key by two middlewares on one shared store', async () => {
    const client = connectStandalone()
    const options = { identifier: uniquePrefix('twice'), keyGenerator: () => 'client' }
    const first = logged({ ...options, store: new RedisStore({ client }) })
    const second = logged({ ...options, store: new RedisStore({ client }) })
    await (await serveExpress([first.limiter, second.limiter]))('/')
    expect(first.errors).toEqual([])
    expect(second.errors).toEqual(['ERR_ERL_DOUBLE_COUNT'])
  })

  it('keeps two middlewares on their own memory stores apart', async () => {
    const first = logged({ keyGenerator: () => 'client' })
    const second = logged({ keyGenerator: () => 'client' })
    await (await serveExpress([first.limiter, second.limiter]))('/')
    expect([...first.errors, ...second.errors]).toEqual([])
  })

  it('logs an ipv6Subnet function’s answer outside 32 to 64', async () => {
    const { limiter, errors } = logged({ ipv6Subnet: () => 128 })
    await (await serveExpress(limiter, (app) => app.set('trust proxy', 1)))('/', { 'x-forwarded-for': '2001:db8::1' })
    expect(errors).toEqual(['ERR_ERL_IPV6_SUBNET'])
  })
})

describe('validate', () => {
  it('turns every check off with false', async () => {
    const { limiter, errors, warnings } = logged({ validate: false, windowMS: 1, limit: 0 })
    await (await serveExpress(limiter))('/', { 'x-forwarded-for': '198.51.100.7' })
    expect([...errors, ...warnings]).toEqual([])
  })

  it('turns one check off by name, and the others with default: false', async () => {
    const quiet = logged({ validate: { xForwardedForHeader: false }, windowMS: 1 })
    await (await serveExpress(quiet.limiter))('/', { 'x-forwarded-for': '198.51.100.7' })
    expect(quiet.errors).toEqual(['ERR_ERL_UNKNOWN_OPTION'])
    const only = logged({ validate: { default: false, xForwardedForHeader: true }, windowMS: 1 })
    await (await serveExpress(only.limiter))('/', { 'x-forwarded-for': '198.51.100.7' })
    expect(only.errors).toEqual(['ERR_ERL_UNEXPECTED_X_FORWARDED_FOR'])
  })

  it('logs through the console by default, the message first', async () => {
    const lines: unknown[][] = []
    const original = console.error
    console.error = (...args: unknown[]) => lines.push(args)
    try {
      rateLimit({ windowMS: 1 } as Partial<Options>)
    } finally {
      console.error = original
    }
    expect(lines).toHaveLength(1)
    expect(lines[0]?.[0]).toMatchObject({ name: 'ValidationError', code: 'ERR_ERL_UNKNOWN_OPTION' })
    expect(String((lines[0]?.[0] as Error | undefined)?.message)).toMatch(
      /See https:\/\/express-rate-limit\.github\.io\/ERR_ERL_UNKNOWN_OPTION\//,
    )
  })

  it('refuses a logger without error and warn functions', () => {
    expect(() => rateLimit({ logger: { error: () => {} } as never })).toThrow(/`logger`/)
  })
})
