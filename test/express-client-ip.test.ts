import { createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { parseList } from 'structured-headers'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { rateLimit } from '../adapters/express.js'

const HOUR = 3_600_000

interface Answer {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
}

/** GETs `/` from a given loopback address (Linux routes all of 127.0.0.0/8 to lo), with headers. */
function get(server: Server, headers: Record<string, string> = {}, localAddress = '127.0.0.1'): Promise<Answer> {
  const { port } = server.address() as AddressInfo
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path: '/', headers, localAddress }, (response) => {
      response.resume()
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers }))
    })
    request.on('error', reject)
    request.end()
  })
}

let server: Server | undefined
async function serve(app: express.Express): Promise<Server> {
  server = createServer(app)
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  return server
}
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve))
  server = undefined
})

describe('Express behind one trusted proxy (trust proxy 1), keyed by X-Forwarded-For', () => {
  const appWith = (options: Parameters<typeof rateLimit>[0]) => {
    const app = express()
    app.set('trust proxy', 1)
    app.use(rateLimit(options))
    app.get('/', (_req, res) => res.send('ok'))
    return serve(app)
  }
  const statuses = async (target: Server, ips: string[]) => {
    const answers = []
    for (const ip of ips) answers.push((await get(target, { 'X-Forwarded-For': ip })).status)
    return answers
  }

  it('puts two IPv6 addresses of one /56 in one bucket, and another /56 in its own', async () => {
    const target = await appWith({ limit: 2, windowMs: HOUR })
    expect(await statuses(target, ['2001:db8:abcd:1200::1', '2001:db8:abcd:12ff:ffff::2'])).toEqual([200, 200])
    expect(await statuses(target, ['2001:db8:abcd:1234::99'])).toEqual([429])
    expect(await statuses(target, ['2001:db8:abcd:1300::1', '2001:db8:abcd:13aa::1'])).toEqual([200, 200])
  })

  it('groups by another prefix length when ipv6Subnet says so', async () => {
    const target = await appWith({ limit: 1, windowMs: HOUR, ipv6Subnet: 64 })
    expect(await statuses(target, ['2001:db8:abcd:1200::1', '2001:db8:abcd:1201::1'])).toEqual([200, 200])
    expect(await statuses(target, ['2001:db8:abcd:1200:ffff::1'])).toEqual([429])
  })

  it('puts ::ffff:1.2.3.4 and 1.2.3.4 in one bucket', async () => {
    const target = await appWith({ limit: 1, windowMs: HOUR })
    expect(await statuses(target, ['::ffff:1.2.3.4', '1.2.3.4'])).toEqual([200, 429])
    expect(await statuses(target, ['1.2.3.5'])).toEqual([200])
  })

  it('keys on the entry the proxy appended, whatever the client wrote before it', async () => {
    const target = await appWith({ limit: 1, windowMs: HOUR })
    const spoofed = ['198.51.100.1, 203.0.113.9', '198.51.100.2, 203.0.113.9', '198.51.100.1, 203.0.113.10']
    expect(await statuses(target, spoofed)).toEqual([200, 429, 200])
  })
})

describe('Express trusting no proxy (the default)', () => {
  it("keys on the socket's address, as req.ip does, whatever X-Forwarded-For says", async () => {
    const app = express()
    const keys: string[] = []
    app.use(rateLimit({ limit: 2, windowMs: HOUR }))
    app.get('/', (req, res) => {
      keys.push(req.ip as string)
      res.send('ok')
    })
    const target = await serve(app)
    // X-Forwarded-For with no trusted proxy warns (adapter-warnings.test.ts checks that): quiet here.
    const warning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    const answers = [] as number[]
    for (const forwardedFor of ['198.51.100.1', '198.51.100.2', '198.51.100.3'])
      answers.push((await get(target, { 'X-Forwarded-For': forwardedFor }, '127.0.0.9')).status)
    expect(answers).toEqual([200, 200, 429])
    expect(keys).toEqual(['127.0.0.9', '127.0.0.9'])
    expect((await get(target, {}, '127.0.0.10')).status).toBe(200)
    warning.mockRestore()
  })
})

describe('app.use(rateLimit()) with no options', () => {
  // One second into a minute, frozen, so the test never straddles two windows.
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: Math.ceil(Date.now() / 60_000) * 60_000 + 1_000 })
  })
  afterAll(() => {
    vi.useRealTimers()
  })

  it('allows 100 requests per minute per client IP on the memory store, then refuses with 429', async () => {
    const app = express()
    app.use(rateLimit())
    app.get('/', (_req, res) => res.send('ok'))
    const target = await serve(app)
    for (let request = 1; request <= 100; request++) {
      const answer = await get(target)
      expect(answer.status, `request ${request}`).toBe(200)
      expect(parseList(answer.headers.ratelimit as string)[0]?.[1].get('r')).toBe(100 - request)
    }
    const refused = await get(target)
    expect(refused.status).toBe(429)
    expect(refused.headers['retry-after']).toBe('59')
    expect(refused.headers['ratelimit-policy']).toMatch(/^"100-per-60s";q=100;w=60;pk=:[^:]+:$/)
    expect((await get(target, {}, '127.0.0.2')).status).toBe(200)
  })
})
