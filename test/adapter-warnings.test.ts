// Misconfiguration warnings: each once per process, with a stable code. This file is its own
// process-wide state (Vitest isolates test files), so every warning starts unseen here.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { Hono } from 'hono'
import Koa from 'koa'
import { describe, expect, it, vi } from 'vitest'
import { rateLimit as expressRateLimit } from '../adapters/express.js'
import { rateLimit as honoRateLimit } from '../adapters/hono.js'
import { rateLimit as koaRateLimit } from '../adapters/koa.js'
import { WARNING_CODES, warnOnce } from '../src/http/warnings.js'
import { MemoryStore } from '../src/index.js'
import { rateLimitWarnings } from './helpers/warnings.js'

const emitted = rateLimitWarnings()

async function getTwice(listener: Parameters<typeof createServer>[1], headers: Record<string, string>) {
  const server: Server = createServer(listener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  for (let request = 0; request < 2; request++) await (await fetch(`http://127.0.0.1:${port}/`, { headers })).text()
  await new Promise((resolve) => server.close(resolve))
}

describe('misconfiguration warnings', () => {
  it('warns once when X-Forwarded-For arrives and Express trusts no proxy, naming the fix', async () => {
    const app = express()
    app.use(expressRateLimit())
    app.get('/', (_req, res) => res.send('ok'))
    await getTwice(app, { 'X-Forwarded-For': '203.0.113.1' })
    const messages = await emitted('WARN_RATE_LIMIT_FORWARDED_FOR_UNTRUSTED')
    expect(messages).toHaveLength(1)
    expect(messages[0]).toContain("app.set('trust proxy', 1)")
  })

  it('warns once when Koa trusts every proxy (proxy on, maxIpsCount 0)', async () => {
    const app = new Koa({ proxy: true })
    app.use(koaRateLimit())
    app.use((ctx) => {
      ctx.body = 'ok'
    })
    await getTwice(app.callback(), { 'X-Forwarded-For': '203.0.113.1' })
    const messages = await emitted('WARN_RATE_LIMIT_EVERY_PROXY_TRUSTED')
    expect(messages).toHaveLength(1)
    expect(messages[0]).toContain('maxIpsCount: 1')
  })

  it('warns once when no client IP is found, and limits such requests together', async () => {
    const app = new Hono()
    app.use(honoRateLimit({ limit: 1 }))
    app.get('/', (c) => c.text('ok'))
    expect((await app.request('/')).status).toBe(200)
    expect((await app.request('/')).status).toBe(429)
    const messages = await emitted('WARN_RATE_LIMIT_NO_CLIENT_IP')
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatch(
      /^No client IP address was found .* under the key "unknown-client"\. Pass a `keyGenerator`/,
    )
  })

  it('warns once when two limiters share a quota by accident: same store, prefix and policy', async () => {
    const store = new MemoryStore()
    expressRateLimit({ store, limit: 5 })
    expressRateLimit({ store, limit: 5, prefix: 'other' })
    expect(await emitted('WARN_RATE_LIMIT_SHARED_QUOTA')).toHaveLength(0)
    koaRateLimit({ store, limit: 5 })
    expressRateLimit({ store, limit: 5 })
    const messages = await emitted('WARN_RATE_LIMIT_SHARED_QUOTA')
    expect(messages).toHaveLength(1)
    expect(messages[0]).toContain('prefix "rl" and policy "5-per-60s"')
    expect(messages[0]).toMatch(/Give each its own `prefix` unless the sharing is meant\.$/)
  })

  it('writes a warning to console.warn where the runtime has no process.emitWarning', () => {
    const logged = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const emitWarning = process.emitWarning
    Object.assign(process, { emitWarning: undefined })
    try {
      warnOnce(WARNING_CODES.noKey, 'no key here')
      expect(logged).toHaveBeenCalledWith('RateLimitWarning [WARN_RATE_LIMIT_NO_KEY]: no key here')
    } finally {
      Object.assign(process, { emitWarning })
      logged.mockRestore()
    }
  })
})
