// The proxy warnings an operator expects, each once, with its stable code. Every test loads the
// adapters afresh (vi.resetModules), so each starts with no warning emitted yet.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import Fastify, { type FastifyServerOptions } from 'fastify'
import Koa from 'koa'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { rateLimitWarnings } from './helpers/warnings.js'

const EVERY_PROXY = 'WARN_RATE_LIMIT_EVERY_PROXY_TRUSTED'
const UNTRUSTED = 'WARN_RATE_LIMIT_FORWARDED_FOR_UNTRUSTED'
const INVALID = 'WARN_RATE_LIMIT_INVALID_CLIENT_IP'

const emitted = rateLimitWarnings()
beforeEach(() => {
  emitted.forget()
  vi.resetModules()
})

/** Statuses of GETs from 127.0.0.1 to an Express app with `trust proxy` set so, one per X-Forwarded-For value. */
async function expressStatuses(trustProxy: unknown, forwardedFor: readonly string[]): Promise<number[]> {
  const { rateLimit } = await import('../adapters/express.js')
  const app = express()
  app.set('trust proxy', trustProxy)
  app.use(rateLimit({ limit: 1 }))
  app.get('/', (_req, res) => res.send('ok'))
  const server: Server = createServer(app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const answers: number[] = []
  for (const entry of forwardedFor) {
    const response = await fetch(`http://127.0.0.1:${port}/`, { headers: { 'X-Forwarded-For': entry } })
    answers.push(response.status)
    await response.text()
  }
  await new Promise((resolve) => server.close(resolve))
  return answers
}

/** GETs from 127.0.0.1 to a Koa app made with `options` (limit 5), one per X-Forwarded-For value. */
async function koaRequests(options: ConstructorParameters<typeof Koa>[0], forwardedFor: readonly string[]) {
  const { rateLimit } = await import('../adapters/koa.js')
  const app = new Koa(options)
  app.use(rateLimit({ limit: 5 }))
  app.use((ctx) => {
    ctx.body = 'ok'
  })
  const server = createServer(app.callback())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  for (const entry of forwardedFor)
    await (await fetch(`http://127.0.0.1:${port}/`, { headers: { 'X-Forwarded-For': entry } })).text()
  await new Promise((resolve) => server.close(resolve))
}

/** Statuses of injected requests (from 127.0.0.1) to a Fastify server made with `options`. */
async function fastifyStatuses(options: FastifyServerOptions, forwardedFor: readonly string[]): Promise<number[]> {
  const { rateLimit } = await import('../adapters/fastify.js')
  const app = Fastify(options)
  await app.register(rateLimit({ limit: 1 }))
  app.get('/', async () => 'ok')
  const answers: number[] = []
  for (const entry of forwardedFor)
    answers.push((await app.inject({ url: '/', headers: { 'x-forwarded-for': entry } })).statusCode)
  await app.close()
  return answers
}

const SPOOFED = ['203.0.113.1', '203.0.113.2']

type TrustProxy = NonNullable<FastifyServerOptions['trustProxy']>

describe('a trust setting that covers every address warns as trusting every proxy does', () => {
  it.each<[string, unknown]>([
    ['Express true', true],
    ['Express CIDRs 0.0.0.0/1,128.0.0.0/1', '0.0.0.0/1,128.0.0.0/1'],
    ['Express ::/1, every IPv6 client', '::/1'],
    ['Express ::ffff:0:0/96, every IPv4 client written IPv4-mapped', '::ffff:0:0/96'],
    ['Express a list that adds up to all IPv4', ['loopback', '0.0.0.0/2', '64.0.0.0/2', '128.0.0.0/1']],
    ['Express a function that trusts all', () => true],
  ])('%s: once, naming the fix', async (_name, trustProxy) => {
    await expressStatuses(trustProxy, SPOOFED)
    const messages = await emitted(EVERY_PROXY)
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatch(
      /^Every proxy is trusted, so any client can choose its rate limit key by sending X-Forwarded-For\. /,
    )
    expect(messages[0]).toContain("app.set('trust proxy', 1)")
  })

  it.each<[string, TrustProxy]>([
    ['Fastify trustProxy: true', true],
    ['Fastify 0.0.0.0/1,128.0.0.0/1', '0.0.0.0/1,128.0.0.0/1'],
    ['Fastify a function that trusts all', () => true],
  ])('%s: once, naming the fix', async (_name, trustProxy) => {
    expect(await fastifyStatuses({ trustProxy }, SPOOFED)).toEqual([200, 200])
    const messages = await emitted(EVERY_PROXY)
    expect(messages).toHaveLength(1)
    expect(messages[0]).toContain('Fastify({ trustProxy:')
  })

  it.each<[string, unknown]>([
    ['Express a hop count', 1],
    ['Express loopback', 'loopback'],
    ['Express half the IPv4 space', '0.0.0.0/1'],
    ['Express the private networks', 'loopback, uniquelocal, linklocal'],
  ])('%s: no warning', async (_name, trustProxy) => {
    await expressStatuses(trustProxy, SPOOFED)
    expect(await emitted.all()).toEqual([])
  })

  it.each<[string, number, number]>([
    ['Koa proxy: true, every proxy (maxIpsCount 0): once', 0, 1],
    ['Koa proxy: true, maxIpsCount: 1: no warning', 1, 0],
  ])('%s', async (_name, maxIpsCount, warnings) => {
    await koaRequests({ proxy: true, maxIpsCount }, SPOOFED)
    expect(await emitted(EVERY_PROXY)).toHaveLength(warnings)
  })

  it('Fastify trusting its proxy by address: no warning', async () => {
    await fastifyStatuses({ trustProxy: '127.0.0.1' }, SPOOFED)
    expect(await emitted.all()).toEqual([])
  })
})

describe('X-Forwarded-For from a peer that is no trusted proxy', () => {
  it('Fastify trustProxy: 1 (no hop count since 5.12.1): keys on the peer and warns once, as Express and Koa do trusting no proxy', async () => {
    const hopCount = 1 as unknown as TrustProxy
    expect(await fastifyStatuses({ trustProxy: hopCount }, SPOOFED)).toEqual([200, 429])
    const messages = await emitted(UNTRUSTED)
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatch(
      /^A request came with X-Forwarded-For from a peer that is no trusted proxy, so the rate limit keys on /,
    )
    expect(messages[0]).toContain("Fastify({ trustProxy: '<the proxy address or subnet>' })")
  })

  it('Express with a trust list that does not name the peer: keys on the peer and warns once', async () => {
    expect(await expressStatuses('10.0.0.0/8', SPOOFED)).toEqual([200, 429])
    expect(await emitted(UNTRUSTED)).toHaveLength(1)
  })

  it('Koa trusting no proxy: warns once, as before', async () => {
    await koaRequests({}, SPOOFED)
    expect(await emitted(UNTRUSTED)).toHaveLength(1)
  })

  it.each(['hono', 'fetch'] as const)(
    '%s trusting no proxy (the default): keys on the peer, warns once naming its fix',
    async (name) => {
      const limit = { limit: 1, windowMs: 60_000 }
      const statuses: number[] = []
      if (name === 'hono') {
        const [{ rateLimit }, { Hono }] = await Promise.all([import('../adapters/hono.js'), import('hono')])
        const app = new Hono()
        app.use(rateLimit(limit))
        app.get('/', (c) => c.text('ok'))
        const env = { incoming: { socket: { remoteAddress: '127.0.0.1' } } }
        for (const entry of SPOOFED)
          statuses.push((await app.request('/', { headers: { 'X-Forwarded-For': entry } }, env)).status)
      } else {
        const { rateLimit } = await import('../adapters/fetch.js')
        const guard = rateLimit(limit)
        for (const entry of SPOOFED) {
          const refused = await guard(new Request('http://app.test/', { headers: { 'X-Forwarded-For': entry } }), {
            ip: '127.0.0.1',
          })
          statuses.push(refused?.status ?? 200)
        }
      }
      expect(statuses).toEqual([200, 429])
      const messages = await emitted(UNTRUSTED)
      expect(messages).toHaveLength(1)
      expect(messages[0]).toContain('rateLimit({ trustProxy: 1 })')
    },
  )
})

describe('an X-Forwarded-For entry that is no IP address', () => {
  it('warns once with its own code, quoting the entry, and counts such requests together', async () => {
    const garbage = ['unknown', 'proxy.example', '_hidden', 'unknown, 203.0.113.9, _hidden']
    expect(await expressStatuses(1, garbage)).toEqual([200, 429, 429, 429])
    const messages = await emitted(INVALID)
    expect(messages).toHaveLength(1)
    expect(messages[0]).toContain('"unknown"')
    expect(messages[0]).toContain('unknown-client')
  })
})
