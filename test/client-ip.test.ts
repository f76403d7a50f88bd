import fc from 'fast-check'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { rateLimit as fetchRateLimit } from '../adapters/fetch.js'
import { rateLimit as honoRateLimit } from '../adapters/hono.js'
import { proxiedClient } from '../src/http/client-ip.js'
import { forwardedClientIp } from '../src/http/forwarded-for.js'
import { ipKey, RateLimitOptionsError } from '../src/index.js'

describe('ipKey', () => {
  it('keys IPv4-mapped IPv6 as its IPv4 address, whatever the octets are written like, and bad octets as unknown-client', () => {
    const octet = fc.tuple(fc.integer({ min: 0, max: 300 }), fc.constantFrom('', '0', '00'))
    fc.assert(
      fc.property(fc.array(octet, { minLength: 4, maxLength: 4 }), (octets) => {
        const written = octets.map(([value, zeros]) => `${zeros}${value}`)
        const valid = octets.every(([value, zeros]) => value <= 255 && `${zeros}${value}`.length <= 3)
        const key = valid ? octets.map(([value]) => value).join('.') : 'unknown-client'
        expect(ipKey(`::ffff:${written.join('.')}`)).toBe(key)
      }),
    )
  })

  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::FFFF:cb00:7107', '203.0.113.7'],
    ['[::ffff:203.0.113.7]', '203.0.113.7'],
    ['2001:db8:ab12:cd34::1', '2001:db8:ab12:cd00::/56'],
    ['2001:0DB8:AB12:CDFF:FFFF:FFFF:FFFF:FFFF', '2001:db8:ab12:cd00::/56'],
    ['fe80::1%eth0', 'fe80::/56'],
    ['::1', '::/56'],
    ['2001:db8::192.0.2.1', '2001:db8::/56'],
    [' 203.0.113.7 ', '203.0.113.7'],
    ['::ffff:010.000.0.255', '10.0.0.255'],
  ])('keys %s as %s', (ip, key) => {
    expect(ipKey(ip)).toBe(key)
  })

  it('groups IPv6 by another prefix length, or not at all at 128', () => {
    expect(ipKey('2001:db8:ab12:cd34::1', 64)).toBe('2001:db8:ab12:cd34::/64')
    expect(ipKey('2001:db8:ab12:cd34::1', 48)).toBe('2001:db8:ab12::/48')
    expect(ipKey('2001:db8:ab12:cd34::1', 60)).toBe('2001:db8:ab12:cd30::/60')
    expect(ipKey('2001:db8:0:0:1:0:0:1%3', 128)).toBe('2001:db8::1:0:0:1')
    expect(ipKey('1:0:0:2:0:0:0:3', 128)).toBe('1:0:0:2::3')
    expect(ipKey('1:2:3:4:5:6:7:8', 128)).toBe('1:2:3:4:5:6:7:8') // no zero group: nothing to shorten
    expect(ipKey('1:0:2:0:3:0:4:0', 128)).toBe('1:0:2:0:3:0:4:0') // a lone zero group stays
  })

  it('keys text that is no IP address as unknown-client, one key for all of it', () => {
    for (const text of ['unknown', '1:2:3', '1::2::3', 'g::1', '::ffff:1.2.3.400'])
      expect(ipKey(text)).toBe('unknown-client')
  })

  it('rejects a prefix length outside 1 to 128, naming ipv6Subnet', () => {
    expect(() => ipKey('::1', 0)).toThrow(RateLimitOptionsError)
    expect(() => ipKey('::1', 129)).toThrow(/`ipv6Subnet`/)
  })
})

describe('proxiedClient', () => {
  it('says which proxies were trusted: every one, some (a hop count), or none', () => {
    const trusted = (trustProxy: number | boolean) => proxiedClient('10.0.0.1', '198.51.100.1', trustProxy).proxyTrust
    expect([true, 2, 1, 0, false].map(trusted)).toEqual(['all', 'some', 'some', 'none', 'none'])
    expect(proxiedClient('10.0.0.1', '198.51.100.1', 1)).toEqual({
      ip: '198.51.100.1',
      forwardedFor: '198.51.100.1',
      proxyTrust: 'some',
    })
  })
})

describe('forwardedClientIp', () => {
  const chain = '198.51.100.1, 203.0.113.9, 10.0.0.2'

  it('walks X-Forwarded-For from the right, one trusted hop at a time', () => {
    expect(forwardedClientIp('10.0.0.1', chain, 0)).toBe('10.0.0.1')
    expect(forwardedClientIp('10.0.0.1', chain, false)).toBe('10.0.0.1')
    expect(forwardedClientIp('10.0.0.1', chain, 1)).toBe('10.0.0.2')
    expect(forwardedClientIp('10.0.0.1', chain, 2)).toBe('203.0.113.9')
    expect(forwardedClientIp('10.0.0.1', chain, 9)).toBe('198.51.100.1')
    expect(forwardedClientIp('10.0.0.1', chain, true)).toBe('198.51.100.1')
  })

  it('keeps the socket peer when there is no header', () => {
    expect(forwardedClientIp('10.0.0.1', null, 1)).toBe('10.0.0.1')
    expect(forwardedClientIp(undefined, undefined, true)).toBeUndefined()
  })
})

describe('trustProxy in the adapters without a proxy setting of their own', () => {
  const spoofed = ['198.51.100.1, 203.0.113.9', '198.51.100.2, 203.0.113.9', '203.0.113.10']

  it('keys the fetch guard on the client behind one trusted hop', async () => {
    const guard = fetchRateLimit({ limit: 1, trustProxy: 1 })
    const statuses = []
    for (const forwardedFor of spoofed) {
      const request = new Request('http://app.test/', { headers: { 'X-Forwarded-For': forwardedFor } })
      statuses.push((await guard(request, { ip: '10.0.0.1' }))?.status ?? 200)
    }
    expect(statuses).toEqual([200, 429, 200])
  })

  it('keys Hono on the socket peer unless trustProxy says otherwise', async () => {
    const statuses = async (options: Parameters<typeof honoRateLimit>[0]) => {
      const app = new Hono()
      app.use(honoRateLimit({ limit: 1, ...options }))
      app.get('/', (c) => c.text('ok'))
      const env = { incoming: { socket: { remoteAddress: '::ffff:10.0.0.1' } } }
      const answers = []
      for (const forwardedFor of spoofed)
        answers.push((await app.request('/', { headers: { 'X-Forwarded-For': forwardedFor } }, env)).status)
      return answers
    }
    expect(await statuses({ trustProxy: 1 })).toEqual([200, 429, 200])
    expect(await statuses({})).toEqual([200, 429, 429])
  })

  it('finds the peer on Bun (server.requestIP) and Deno (info.remoteAddr)', async () => {
    const app = new Hono()
    app.use(honoRateLimit({ limit: 1 }))
    app.get('/', (c) => c.text('ok'))
    const bun = { requestIP: () => ({ address: '192.0.2.1' }) }
    const deno = { remoteAddr: { hostname: '192.0.2.2' } }
    expect((await app.request('/', {}, bun)).status).toBe(200)
    expect((await app.request('/', {}, deno)).status).toBe(200)
    expect((await app.request('/', {}, bun)).status).toBe(429)
  })
})
