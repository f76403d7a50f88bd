// Allow and deny lists in every adapter: an allowed request passes uncounted with no headers, a
// denied one is answered 403 with a problem before any store is asked; listed IP addresses match
// however the client's address is written, other entries as they are; functions get the key.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { rateLimit as fetchRateLimit } from '../adapters/fetch.js'
import { MemoryStore, type Store } from '../src/index.js'
import { CLIENT_IP, harnesses, rateLimitFactories, type TestApp } from './helpers/adapters.js'

const HOUR = 3_600_000
const DENIED_TYPE = 'https://www.npmjs.com/package/atomic-ratelimit#allow-and-deny-lists'

/** A memory store that counts the decisions it is asked for. */
function countingStore(): { store: Store; decisions: () => number } {
  const memory = new MemoryStore()
  let decisions = 0
  const store: Store = {
    penalties: true,
    decide: (request) => {
      decisions++
      return memory.decide(request)
    },
    refund: (refund) => memory.refund(refund),
    reset: (target) => memory.reset(target),
  }
  return { store, decisions: () => decisions }
}

describe.each(harnesses)('allow and deny lists in the $name adapter', (harness) => {
  let app: TestApp | undefined
  const only = async (options: Record<string, unknown>) => {
    app = await harness.build([{ path: '/a', options }])
    return app
  }
  afterEach(async () => {
    await app?.close()
    app = undefined
  })

  it('lets a client on the allow list through uncounted, with no headers, its IP written any way', async () => {
    const { store, decisions } = countingStore()
    const client = await only({ store, limit: 1, allowList: [`::ffff:${CLIENT_IP}`] })
    for (let request = 0; request < 3; request++) {
      const reply = await client.get('/a/ok')
      expect(reply.status).toBe(200)
      expect(reply.headers.get('RateLimit')).toBeNull()
      expect(JSON.parse(reply.text).rateLimit).toBeNull()
    }
    expect(decisions()).toBe(0)
  })

  it('refuses a client on the deny list with 403 and a problem, no rate limit headers, never asking the store', async () => {
    const { store, decisions } = countingStore()
    const handler = vi.fn(harness.teapot as () => unknown)
    const client = await only({ store, denyList: ['10.9.9.9', CLIENT_IP], handler })
    const reply = await client.get('/a/ok')
    expect(reply.status).toBe(403)
    expect(reply.headers.get('Content-Type')).toMatch(/^application\/problem\+json/)
    expect(JSON.parse(reply.text)).toEqual({
      type: DENIED_TYPE,
      title: 'Denied',
      status: 403,
      detail: 'This client may not make this request.',
    })
    for (const header of ['RateLimit', 'RateLimit-Policy', 'Retry-After']) expect(reply.headers.get(header)).toBeNull()
    expect([decisions(), handler.mock.calls.length]).toEqual([0, 0])
  })

  it('answers a denied request with denyStatusCode, and refuses a key on both lists', async () => {
    const client = await only({ denyList: [CLIENT_IP], allowList: [CLIENT_IP], denyStatusCode: 404 })
    const reply = await client.get('/a/ok')
    expect([reply.status, JSON.parse(reply.text).status]).toEqual([404, 404])
  })

  it('compares other entries with the computed key, as they are', async () => {
    const keyGenerator = (request: unknown) => harness.header(request, 'x-user') ?? 'anonymous'
    const client = await only({ limit: 1, windowMs: HOUR, keyGenerator, allowList: ['ops'], denyList: ['mallory'] })
    const statuses = async (user: string) => [(await client.get('/a/ok', { 'x-user': user })).status]
    expect([...(await statuses('ops')), ...(await statuses('ops'))]).toEqual([200, 200])
    expect([...(await statuses('alice')), ...(await statuses('alice'))]).toEqual([200, 429])
    expect(await statuses('mallory')).toEqual([403])
  })

  it('asks list functions with the request and its key; only a true lets through', async () => {
    const seen: [string | undefined, string][] = []
    const allowList = async (request: unknown, key: string) => {
      const pass = harness.header(request, 'x-pass')
      seen.push([pass, key])
      return (pass === 'yes' ? true : pass) as boolean
    }
    const denyList = (request: unknown) => harness.header(request, 'x-pass') === 'never'
    const client = await only({ limit: 1, windowMs: HOUR, allowList, denyList })
    expect((await client.get('/a/ok', { 'x-pass': 'yes' })).status).toBe(200)
    expect((await client.get('/a/ok', { 'x-pass': 'yes' })).status).toBe(200)
    // A truthy answer that is not true counts the request.
    expect((await client.get('/a/ok', { 'x-pass': 'maybe' })).status).toBe(200)
    expect((await client.get('/a/ok', { 'x-pass': 'maybe' })).status).toBe(429)
    expect((await client.get('/a/ok', { 'x-pass': 'never' })).status).toBe(403)
    expect(seen[0]).toEqual(['yes', CLIENT_IP])
  })
})

describe('list options', () => {
  const factories = rateLimitFactories

  it.each(Object.entries(factories))('are checked at setup in %s', (_name, factory) => {
    expect(() => factory({ allowList: '127.0.0.1' })).toThrow(
      'Expected `allowList` to be an array of non-empty strings or a function, got "127.0.0.1"',
    )
    expect(() => factory({ denyList: [''] })).toThrow('Expected `denyList` to be an array of non-empty strings')
    expect(() => factory({ denyStatusCode: 200 })).toThrow('Expected `denyStatusCode` to be an integer from 400')
    expect(() => factory({ banStatusCode: 600 })).toThrow('Expected `banStatusCode` to be an integer from 400')
  })

  it('list an IPv6 address by its network, as the default key groups it', async () => {
    const limit = fetchRateLimit({ limit: 1, allowList: ['2001:db8:0:1::7'] })
    for (let request = 0; request < 3; request++)
      expect(await limit(new Request('http://app.test/'), { ip: '2001:db8:0:1::99' })).toBeUndefined()
    expect(await limit(new Request('http://app.test/'), { ip: '2001:db8:1::1' })).toBeUndefined()
    expect((await limit(new Request('http://app.test/'), { ip: '2001:db8:1::1' }))?.status).toBe(429)
  })
})
