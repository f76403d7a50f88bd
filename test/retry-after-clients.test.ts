// What a client is told, checked the way clients meet it: got and ky, which wait out Retry-After on
// a 429 before they retry, against a real Express server, on the memory store and on Redis.
import type { AddressInfo } from 'node:net'
import express from 'express'
import got from 'got'
import ky from 'ky'
import { afterAll, describe, expect, it } from 'vitest'
import { rateLimit } from '../adapters/express.js'
import type { RateLimitResult, Store } from '../src/index.js'
import { algorithmNames, httpAlgorithmOptions } from './helpers/policies.js'
import { uniquePrefix } from './helpers/redis.js'
import { createStore } from './helpers/stores.js'

const stores = { memory: createStore('memory'), redis: createStore('standalone') }

/** A server behind a limiter of 3 per 6 s; it remembers the exact wait of every refusal it sent. */
async function serve(options: Record<string, unknown>) {
  const exactWaitsMs: number[] = []
  const app = express()
  app.use(
    rateLimit({
      ...options,
      handler: (_req, res, _next, result) => {
        exactWaitsMs.push(result.retryAfterMs)
        res.send('slow down')
      },
    }),
  )
  app.get('/', (req, res) => {
    res.json(req.rateLimit)
  })
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  afterAll(() => new Promise((resolve) => server.close(resolve)))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, exactWaitsMs }
}

type Client = 'got' | 'ky'

/** Sends one GET that retries once on a 429 after the Retry-After it was told; the seconds it was told, if refused. */
async function getOnce(client: Client, url: string): Promise<{ status: number; toldSeconds: number | undefined }> {
  let toldSeconds: number | undefined
  const retry = { limit: 1, statusCodes: [429], methods: ['get'] }
  if (client === 'got') {
    const response = await got(url, {
      retry: { ...retry, methods: ['GET'], maxRetryAfter: 60_000 },
      hooks: {
        beforeRetry: [
          (error) => {
            toldSeconds = Number(error.response?.headers['retry-after'])
          },
        ],
      },
    })
    return { status: response.statusCode, toldSeconds }
  }
  const response = await ky(url, {
    retry: { ...retry, afterStatusCodes: [429] },
    hooks: {
      beforeRetry: [
        ({ error }) => {
          toldSeconds = retryAfterOf(error)
        },
      ],
    },
  })
  return { status: response.status, toldSeconds }
}

function retryAfterOf(error: unknown): number {
  return Number((error as { response: Response }).response.headers.get('retry-after'))
}

describe.concurrent('a refused client that waits what Retry-After says', () => {
  const table: { algorithm: string; store: string; client: Client; toldS: number; exactMs: number }[] = []
  afterAll(() => console.table(table))

  for (const [storeName, store] of Object.entries(stores) as [string, Store][])
    for (const algorithm of algorithmNames) {
      const client: Client = storeName === 'memory' ? 'got' : 'ky'
      it(`succeeds on its first retry, told at most the exact wait rounded up (${algorithm}, ${storeName}, ${client})`, {
        tags: ['waits'],
        timeout: 20_000,
      }, async () => {
        const options = {
          ...httpAlgorithmOptions(algorithm),
          limit: 3,
          windowMs: 6_000,
          store,
          prefix: uniquePrefix('ra'),
        }
        const { url, exactWaitsMs } = await serve(options)
        // Until one is refused: a fixed window may turn between the first requests.
        for (let request = 0; request < 8; request++) {
          const { status, toldSeconds } = await getOnce(client, url)
          expect(status).toBe(200)
          if (toldSeconds === undefined) continue
          const exactMs = exactWaitsMs.at(-1) as number
          table.push({ algorithm, store: storeName, client, toldS: toldSeconds, exactMs })
          expect(exactWaitsMs).toHaveLength(1)
          expect(toldSeconds).toBe(Math.ceil(exactMs / 1_000))
          return
        }
        throw new Error('no request was refused')
      })
    }
})

describe.each(Object.keys(stores))('X-RateLimit-Reset (%s)', (storeName) => {
  it('is the end of the window the request was decided in, over 200 requests', async () => {
    const store = stores[storeName as keyof typeof stores]
    const options = { limit: 1_000, windowMs: 1_000, store, prefix: uniquePrefix('xr'), legacyHeaders: true }
    const { url } = await serve(options)
    for (let request = 0; request < 200; request++) {
      const response = await fetch(url)
      const { decidedAtMs } = (await response.json()) as RateLimitResult
      const windowEndMs = (Math.floor(decidedAtMs / 1_000) + 1) * 1_000
      expect(Number(response.headers.get('x-ratelimit-reset')) * 1_000).toBe(windowEndMs)
      await new Promise((resolve) => setTimeout(resolve, request % 7))
    }
  })
})
