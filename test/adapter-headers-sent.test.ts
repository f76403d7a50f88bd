// A response that another middleware sent while the limiter waited on its store (a timeout) ends
// the limiter's part in the request: no headers set, no refusal, no route run, no error passed on,
// no unhandled rejection. Real apps on real sockets, a store that answers after 150 ms.
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MemoryStore, type Store } from '../src/index.js'
import { socketHarnesses } from './helpers/socket-apps.js'

const STORE_MS = 150
const ANSWER_AFTER_MS = 20

/** A MemoryStore that takes STORE_MS to decide, as a far or loaded Redis might. */
function slowStore(): Store {
  const store = new MemoryStore()
  return {
    decide: async (request) => {
      await sleep(STORE_MS)
      return store.decide(request)
    },
    refund: (refund) => store.refund(refund),
    reset: (target) => store.reset(target),
  }
}

const unhandled: unknown[] = []
const collect = (reason: unknown) => unhandled.push(reason)
beforeAll(() => {
  process.on('unhandledRejection', collect)
})
afterAll(() => {
  process.off('unhandledRejection', collect)
})

const decisions = {
  'an allowed request': { limit: 5 },
  // A cost above the limit is refused whatever the count.
  'a refused request': { limit: 1, cost: 2 },
}

describe.each(socketHarnesses.filter((harness) => harness.answersEarly))('the $name adapter', (harness) => {
  it.each(Object.entries(decisions))(
    'does nothing more for %s answered while the store decided',
    async (_, decision) => {
      let runs = 0
      const route = async () => {
        runs++
        return 200
      }
      const options = { ...decision, store: slowStore(), skipFailedRequests: true }
      const app = await harness.start({ options, route, answerAfterMs: ANSWER_AFTER_MS })
      try {
        const response = await fetch(app.url)
        expect([response.status, await response.text()]).toEqual([503, 'timed out'])
        expect(response.headers.get('RateLimit')).toBeNull()
        await sleep(STORE_MS + 100) // the store answers, and the limiter goes on (or not)
        expect(runs).toBe(0)
        expect(app.errors).toEqual([])
        expect(unhandled).toEqual([])
      } finally {
        await app.close()
      }
    },
  )
})
