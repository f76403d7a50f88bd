// Requests that end without the response their handler meant to send: a fetch handler that threw
// (the guard's `fail()`), and an Express request the client aborted.
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { describe, expect, it, vi } from 'vitest'
import { rateLimit as expressRateLimit } from '../adapters/express.js'
import { rateLimit as fetchRateLimit } from '../adapters/fetch.js'
import { fixedWindow, RateLimiter } from '../src/index.js'
import { sleep } from './helpers/redis-server.js'

const HOUR = 3_600_000
const CLIENT = { ip: '203.0.113.9' }

describe('the fetch guard, told by fail() that a handler threw', () => {
  const limiterOf = () => new RateLimiter({ policy: fixedWindow({ limit: 1, windowMs: HOUR }) })
  const failOnce = async (guard: ReturnType<typeof fetchRateLimit>) => {
    const request = new Request('http://app.test/')
    expect(await guard(request, CLIENT)).toBeUndefined()
    guard.fail(request)
  }

  it('refunds the request under skipFailedRequests', async () => {
    const limiter = limiterOf()
    const guard = fetchRateLimit({ limiter, skipFailedRequests: true })
    await failOnce(guard)
    await vi.waitFor(async () => expect((await limiter.peek(CLIENT.ip)).remaining).toBe(1))
    expect(await guard(new Request('http://app.test/'), CLIENT)).toBeUndefined()
  })

  it('keeps the charge under skipSuccessfulRequests: a request that threw did not succeed', async () => {
    const limiter = limiterOf()
    const guard = fetchRateLimit({ limiter, skipSuccessfulRequests: true })
    await failOnce(guard)
    await sleep(20)
    expect((await limiter.peek(CLIENT.ip)).remaining).toBe(0)
    expect((await guard(new Request('http://app.test/'), CLIENT))?.status).toBe(429)
  })

  it('does nothing for a request it never decided', () => {
    const guard = fetchRateLimit({ skipFailedRequests: true })
    expect(() => guard.fail(new Request('http://app.test/'))).not.toThrow()
  })
})

describe('Express, when the client aborts before the response', () => {
  it('keeps the charge under skipSuccessfulRequests: an aborted request did not succeed', async () => {
    const limiter = new RateLimiter({ policy: fixedWindow({ limit: 2, windowMs: HOUR }) })
    let handled = Promise.resolve()
    const app = express()
    app.use(expressRateLimit({ limiter, skipSuccessfulRequests: true }))
    app.get('/', (_req, res) => {
      handled = sleep(150).then(() => void res.send('late'))
    })
    const server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    try {
      const { port } = server.address() as AddressInfo
      const aborted = httpRequest({ host: '127.0.0.1', port, path: '/', agent: false })
      aborted.on('error', () => {}) // the abort is the point
      aborted.end()
      await vi.waitFor(async () => expect((await limiter.peek('127.0.0.1')).remaining).toBe(1))
      aborted.destroy()
      await sleep(20)
      await handled
      await sleep(20)
      expect((await limiter.peek('127.0.0.1')).remaining).toBe(1)
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
