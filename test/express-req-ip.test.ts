// Express keys on what it resolved as req.ip, also trusting no proxy, so an app that defines req.ip
// itself (a proxy protocol of its own, a test) is keyed by it rather than by the socket.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { rateLimit } from '../adapters/express.js'

let server: Server | undefined
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve))
  server = undefined
})

/** Statuses of GETs from 127.0.0.1, one per `X-Client-Ip` value, to `app` behind a limit of 1. */
async function statuses(app: express.Express, clientIps: readonly string[]): Promise<number[]> {
  app.use(rateLimit({ limit: 1 }))
  app.get('/', (_req, res) => res.send('ok'))
  server = createServer(app)
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const answers: number[] = []
  for (const clientIp of clientIps)
    answers.push((await fetch(`http://127.0.0.1:${port}/`, { headers: { 'X-Client-Ip': clientIp } })).status)
  return answers
}

describe('Express trusting no proxy, with req.ip defined by the app', () => {
  const clientIps = ['198.51.100.1', '198.51.100.2', '198.51.100.1:443', '::ffff:198.51.100.2']

  it('keys on a req.ip getter the app defines on app.request', async () => {
    const app = express()
    Object.defineProperty(app.request, 'ip', {
      configurable: true,
      get(this: express.Request) {
        return this.get('x-client-ip')
      },
    })
    expect(await statuses(app, clientIps)).toEqual([200, 200, 429, 429])
  })

  it('keys on a req.ip a middleware sets on the request', async () => {
    const app = express()
    app.use((req, _res, next) => {
      Object.defineProperty(req, 'ip', { value: req.get('x-client-ip') })
      next()
    })
    expect(await statuses(app, clientIps)).toEqual([200, 200, 429, 429])
  })
})
