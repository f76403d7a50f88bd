// What a user's keyGenerator returns never crashes a request, in any adapter: a string is the key, a
// number its decimal text, anything else counts under the one fallback key 'unknown-client' (with
// one warning per process); only a keyGenerator that throws fails the request, through the
// framework's own error handling. This file is its own process-wide state (Vitest isolates test
// files), so the warning starts unseen here.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { UNKNOWN_CLIENT_KEY } from '../src/http/client-ip.js'
import { keyOfGenerated } from '../src/http/request-key.js'
import { fixedWindow, RateLimiter } from '../src/index.js'
import { harnesses, type TestApp } from './helpers/adapters.js'
import { rateLimitWarnings } from './helpers/warnings.js'

const HOUR = 3_600_000
const NOW_MS = 1_800_000_000_000 + 1_000

/** A limiter of 2 per hour at a fixed time, so no window edge can fall inside a test. */
const limiterOf2 = () => new RateLimiter({ policy: fixedWindow({ limit: 2, windowMs: HOUR }), clock: () => NOW_MS })

const emitted = rateLimitWarnings()

/** Values that are no key, each as its keyGenerator returns it (`async` ones as promises). */
const notKeys: [string, () => unknown][] = [
  ['an empty string', () => ''],
  ['undefined', () => undefined],
  ['null', () => null],
  ['false', () => false],
  ['NaN', () => Number.NaN],
  ['Infinity', () => Number.POSITIVE_INFINITY],
  ['an object', () => ({ id: 7 })],
  ['a promise of undefined', async () => undefined],
]

/** A keyGenerator's own failure is the user's error, not the limiter's. */
const failingKeyGenerators: [string, () => unknown][] = [
  [
    'throws',
    () => {
      throw new Error('no user')
    },
  ],
  ['rejects', () => Promise.reject(new Error('no user'))],
]

describe('a keyGenerator that returns no key, the first time in a process', () => {
  it('warns once, with WARN_RATE_LIMIT_NO_KEY, saying what it returned and what to return', async () => {
    const app = await harnesses[0]?.build([{ path: '/a', options: { limiter: limiterOf2(), keyGenerator: () => '' } }])
    try {
      expect((await app?.get('/a/ok'))?.status).toBe(200)
      expect((await app?.get('/a/ok'))?.status).toBe(200)
    } finally {
      await app?.close()
    }
    const noKey = await emitted('WARN_RATE_LIMIT_NO_KEY')
    expect(noKey).toHaveLength(1)
    expect(noKey[0]).toContain('returned ""')
    expect(noKey[0]).toContain(`"${UNKNOWN_CLIENT_KEY}"`)
    expect(noKey[0]).toContain('Return a non-empty string or a number')
    expect(noKey[0]).toMatch(/`skip` the requests that have no client to count\.$/)
  })
})

describe('keyOfGenerated', () => {
  it.each([
    ['user-7', 'user-7'],
    [42, '42'],
    [-0.5, '-0.5'],
    [10n, '10'],
  ])('takes %o as the key %o', (generated, key) => {
    expect(keyOfGenerated(generated)).toBe(key)
  })

  it.each(notKeys)('takes %s as the fallback key', (_label, generate) => {
    const generated = generate()
    if (!(generated instanceof Promise)) expect(keyOfGenerated(generated)).toBe(UNKNOWN_CLIENT_KEY)
  })
})

describe.each(harnesses)('keyGenerator answers in the $name adapter', (harness) => {
  let app: TestApp | undefined
  const only = async (options: Record<string, unknown>) => {
    app = await harness.build([{ path: '/a', options }])
    return app
  }
  afterEach(async () => {
    vi.restoreAllMocks()
    await app?.close()
    app = undefined
  })

  it.each(notKeys)('counts %s under the one fallback key: no 500, no free pass', async (_, keyGenerator) => {
    const limiter = limiterOf2()
    const client = await only({ limiter, keyGenerator })
    const statuses = [await client.get('/a/ok'), await client.get('/a/ok'), await client.get('/a/ok')].map(
      (reply) => reply.status,
    )
    expect(statuses).toEqual([200, 200, 429])
    expect((await limiter.peek(UNKNOWN_CLIENT_KEY)).remaining).toBe(0)
  })

  it('keys a number (or bigint) by its decimal text, one client with the same string', async () => {
    const limiter = limiterOf2()
    const answers: unknown[] = [42, '42', 42n]
    const client = await only({ limiter, keyGenerator: () => answers.shift() })
    expect((await client.get('/a/ok')).status).toBe(200)
    expect((await client.get('/a/ok')).status).toBe(200)
    expect((await client.get('/a/ok')).status).toBe(429)
    expect((await limiter.peek('42')).remaining).toBe(0)
    expect((await limiter.peek(UNKNOWN_CLIENT_KEY)).remaining).toBe(2)
  })

  it.each(failingKeyGenerators)(
    'fails the request through the framework when the keyGenerator %s',
    async (_, keyGenerator) => {
      vi.spyOn(console, 'error').mockImplementation(() => undefined) // Koa logs what it answers 500 for
      const client = await only({ limiter: limiterOf2(), keyGenerator })
      // The fetch guard hands the error to the caller's own fetch handler, which the harness does not catch.
      if (harness.name === 'fetch') await expect(client.get('/a/ok')).rejects.toThrow('no user')
      else expect((await client.get('/a/ok')).status).toBe(500)
    },
  )
})
