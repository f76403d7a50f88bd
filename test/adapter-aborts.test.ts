// A client that aborts every request must not get more handler runs than the limit, whatever the
// adapter and store: a request the client aborted is never refunded, since the server did (or
// still does) the work. Real sockets, a real HTTP client that gives up 30 ms in.
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { uniquePrefix } from './helpers/redis.js'
import { socketHarnesses } from './helpers/socket-apps.js'
import { createStore } from './helpers/stores.js'

const LIMIT = 5
const HOUR = 3_600_000
const HANDLER_MS = 300
const ABORT_AFTER_MS = 30

/** GETs `url`, giving up after `abortAfterMs`; resolves to the status, or 'aborted'. */
async function get(url: string, abortAfterMs = 5_000): Promise<number | 'aborted'> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(abortAfterMs) })
    await response.arrayBuffer()
    return response.status
  } catch (error) {
    if (error instanceof DOMException) return 'aborted'
    throw error
  }
}

const stores = { memory: () => undefined, 'redis standalone': () => createStore('standalone') }
const settings = ['skipFailedRequests', 'skipSuccessfulRequests'] as const

describe.each(Object.entries(stores))('a client aborting every request, %s store', (storeName, makeStore) => {
  const store = makeStore()

  describe.each(settings)('under %s', (setting) => {
    it.concurrent.each(socketHarnesses)(
      `gets at most ${LIMIT} handler runs from 40 requests in the $name adapter`,
      { tags: ['waits'] },
      async (harness) => {
        let runs = 0
        let aborting = false
        const route = async (clientGone: Promise<void>) => {
          runs++
          await sleep(HANDLER_MS)
          // The answer comes after the client left, as the server sees it, however loaded the machine.
          if (aborting) await Promise.race([clientGone, sleep(5_000)])
          return 200
        }
        const prefix = uniquePrefix(`abort-${harness.name.replace(' ', '')}`)
        const options = { limit: LIMIT, windowMs: HOUR, prefix, [setting]: true, ...(store && { store }) }
        const app = await harness.start({ options, route })
        try {
          await get(app.url) // the client and the server warm up, outside the count
          runs = 0
          aborting = true
          const outcomes: (number | 'aborted')[] = []
          for (let request = 0; request < 40; request++) outcomes.push(await get(app.url, ABORT_AFTER_MS))
          // Late refunds would come once the handlers answer: wait for them, then ask once in full.
          await sleep(HANDLER_MS + 200)
          expect(runs, `${storeName}: ${outcomes.join(' ')}`).toBeLessThanOrEqual(LIMIT)
          expect(await get(app.url)).toBe(429)
        } finally {
          await app.close()
        }
      },
    )
  })
})

// One aborted request, on every adapter: quick enough for every run (and for each mutant), where the
// 40 requests above wait out their handlers. Under skipFailedRequests an aborted request, whose
// handler goes on to fail, is still not refunded: it is neither a success nor a failure.
describe('one request its client aborts, on the memory store', () => {
  it.concurrent.each(socketHarnesses)(
    'is not refunded under skipFailedRequests, though its handler then fails, in the $name adapter',
    async (harness) => {
      const client = new AbortController()
      let handled: Promise<number> = Promise.resolve(0)
      const route = (clientGone: Promise<void>) => {
        client.abort() // once the limiter has counted the request
        handled = clientGone.then(() => 500)
        return handled
      }
      const options = { limit: 1, windowMs: HOUR, skipFailedRequests: true, requestWasSuccessful: () => false }
      const app = await harness.start({ options, route })
      try {
        await expect(fetch(app.url, { signal: client.signal })).rejects.toThrow(DOMException)
        await handled
        await sleep(50) // the refund it must not make would be under way by now
        expect(await get(app.url, 2_000)).toBe(429)
      } finally {
        await app.close()
      }
    },
  )
})
