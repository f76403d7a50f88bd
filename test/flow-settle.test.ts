// What RequestFlow.settle does after a response, through the fetch guard (which settles every
// request it finishes): it asks requestWasSuccessful only when an option can refund, and a callback
// that throws there is reported on the console, never thrown at the host app.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { rateLimit } from '../adapters/fetch.js'

const CLIENT = { ip: '192.0.2.1' }
const settled = () => new Promise((resolve) => setTimeout(resolve, 10))

afterEach(() => {
  vi.restoreAllMocks()
})

describe('settling a request after its response', () => {
  it('asks requestWasSuccessful nothing when no option refunds', async () => {
    const requestWasSuccessful = vi.fn(() => true)
    const guard = rateLimit({ limit: 5, requestWasSuccessful })
    const request = new Request('http://app.test/')
    expect(await guard(request, CLIENT)).toBeUndefined()
    guard.finish(request, new Response('ok'))
    guard.fail(request)
    await settled()
    expect(requestWasSuccessful).not.toHaveBeenCalled()
  })

  it('takes a 400 for a failure by default: skipFailedRequests gives its unit back', async () => {
    const guard = rateLimit({ limit: 1, skipFailedRequests: true })
    for (const status of [400, 399]) {
      const request = new Request('http://app.test/')
      expect(await guard(request, CLIENT)).toBeUndefined()
      guard.finish(request, new Response(null, { status }))
      await settled()
    }
    expect((await guard(new Request('http://app.test/'), CLIENT))?.status).toBe(429)
  })

  it('reports a requestWasSuccessful that throws on the console, and the app goes on', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    const requestWasSuccessful = () => {
      throw new Error('the callback broke')
    }
    const guard = rateLimit({ limit: 5, skipFailedRequests: true, requestWasSuccessful })
    const request = new Request('http://app.test/')
    expect(await guard(request, CLIENT)).toBeUndefined()
    guard.finish(request, new Response('not found', { status: 404 }))
    await settled()
    expect(logged).toHaveBeenCalledWith(
      'atomic-ratelimit: could not settle a request after its response',
      expect.objectContaining({ message: 'the callback broke' }),
    )
  })
})
