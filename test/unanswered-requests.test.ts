// Requests that end without the response their handler meant to send: a fetch handler that threw
// (the guard's `fail()`), a Koa handler that threw, and an Express request the client aborted.
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import Koa from 'koa'
import { describe, expect, it, vi } from 'vitest'
import { rateLimit as expressRateLimit } from '../adapters/express.js'
import { rateLimit as fetchRateLimit } from '../adapters/fetch.js'
import { rateLimit as koaRateLimit } from '../adapters/koa.js'
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

  it('keeps the charge of a request that threw under skipSuccessfulRequests, whatever requestWasSuccessful says', async () => {
    const limiter = limiterOf()
    const requestWasSuccessful = vi.fn(() => true)
    const guard = fetchRateLimit({ limiter, skipSuccessfulRequests: true, requestWasSuccessful })
    await failOnce(guard)
    await sleep(20)
    expect(requestWasSuccessful).not.toHaveBeenCalled()
    expect((await guard(new Request('http://app.test/'), CLIENT))?.status).toBe(429)
  })

  it('keeps the charge under skipFailedRequests when the client had gone away before the handler threw', async () => {
    const limiter = limiterOf()
    const guard = fetchRateLimit({ limiter, skipFailedRequests: true })
    const client = new AbortController()
    const request = new Request('http://app.test/', { signal: client.signal })
    expect(await guard(request, CLIENT)).toBeUndefined()
    client.abort()
    guard.fail(request)
    await sleep(20)
    expect((await guard(new Request('http://app.test/'), CLIENT))?.status).toBe(429)
  })

  it('does nothing for a request it never decided', () => {
    const guard = fetchRateLimit({ skipFailedRequests: true })
    expect(() => guard.fail(new Request('http://app.test/'))).not.toThrow()
  })
})

describe('Koa, when a handler throws', () => {
  it('keeps the charge under skipSuccessfulRequests, whatever requestWasSuccessful says', async () => {
    const limiter = new RateLimiter({ policy: fixedWindow({ limit: 1, windowMs: HOUR }) })
    const requestWasSuccessful = vi.fn(() => true)
    const app = new Koa()
    app.silent = true
    app.use(koaRateLimit({ limiter, skipSuccessfulRequests: true, requestWasSuccessful }))
    app.use(() => {
      throw new Error('the handler failed')
    })
    const server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
      expect((await fetch(url)).status).toBe(500)
      await sleep(20)
      expect(requestWasSuccessful).not.toHaveBeenCalled()
      expect((await fetch(url)).status).toBe(429)
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
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
