// The fetch guard's helpers for the response: finish() on a response whose headers cannot change,
// and what it tells of a request it never decided.
import { describe, expect, it } from 'vitest'
import { rateLimit } from '../adapters/fetch.js'

const CLIENT = { ip: '203.0.113.10' }

describe('the fetch guard', () => {
  it('finishes a response whose headers are immutable (a redirect, a fetch() answer) on a copy with its headers', async () => {
    const guard = rateLimit({ limit: 5, windowMs: 60_000 })
    const request = new Request('http://app.test/')
    expect(await guard(request, CLIENT)).toBeUndefined()
    const redirect = Response.redirect('http://app.test/next', 302)
    const finished = guard.finish(request, redirect)
    expect([finished.status, finished.headers.get('location'), finished.headers.get('ratelimit')]).toEqual([
      302,
      'http://app.test/next',
      expect.stringMatching(/^"5-per-60s";r=4;/),
    ])
  })

  it('tells no result and no headers for a request it never decided', () => {
    const guard = rateLimit()
    const request = new Request('http://app.test/')
    expect(guard.resultOf(request)).toBeUndefined()
    expect([...guard.headersOf(request)]).toEqual([])
    const response = new Response('as is')
    expect(guard.finish(request, response)).toBe(response)
  })
})
