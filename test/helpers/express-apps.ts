// Express apps on a loopback server, reached with got as a client would: for the drop-in entry of
// express-rate-limit, whose users wire it into their app this way.
import type { AddressInfo } from 'node:net'
import express, { type ErrorRequestHandler, type RequestHandler } from 'express'
import got, { type Response } from 'got'
import { afterEach } from 'vitest'

/** A served app: GET `path` with `headers`, answered as got reports it (no retries, no throwing on 4xx/5xx). */
export type Get = (path: string, headers?: Record<string, string>) => Promise<Response<string>>

const servers: { close(callback: () => void): void }[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))))
})

/**
 * An app behind `middleware` (one or several): `/` answers 200 with `req.rateLimit` as JSON,
 * `/fail` 500 with it, `/slow` after 50 ms; errors passed on answer 500 with `error: <message>`.
 * `setup` runs first, on the bare app (`trust proxy`, routes before the limiter).
 */
export async function serveExpress(
  middleware: RequestHandler | RequestHandler[],
  setup?: (app: express.Express) => void,
): Promise<Get> {
  const app = express()
  setup?.(app)
  app.use(middleware)
  app.get('/', (req, res) => {
    res.json((req as { rateLimit?: unknown }).rateLimit ?? null)
  })
  app.get('/fail', (req, res) => {
    res.status(500).json((req as { rateLimit?: unknown }).rateLimit ?? null)
  })
  app.get('/throw', () => {
    throw new Error('the route threw')
  })
  app.use(((error, _req, res, _next) => {
    res.status(500).send(`error: ${(error as Error).message}`)
  }) satisfies ErrorRequestHandler)
  const server = app.listen(0, '127.0.0.1')
  servers.push(server)
  await new Promise((resolve) => server.once('listening', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return (path, headers = {}) => got(`${base}${path}`, { headers, throwHttpErrors: false, retry: { limit: 0 } })
}

/** Runs `get` `times` times in a row; resolves to the responses. */
export async function inARow(get: Get, times: number, path = '/'): Promise<Response<string>[]> {
  const responses = []
  for (let request = 0; request < times; request++) responses.push(await get(path))
  return responses
}

/** A logger that records what it is given: each error's `code` (or the message) and the message. */
export function recordingLogger(): {
  errors: string[]
  warnings: string[]
  logger: { error: (error: unknown, message?: string) => void; warn: (error: unknown, message?: string) => void }
} {
  const errors: string[] = []
  const warnings: string[] = []
  const describe = (error: unknown, message?: string) =>
    [(error as { code?: string })?.code ?? String(error), message].filter(Boolean).join(' ')
  return {
    errors,
    warnings,
    logger: {
      error: (error, message) => errors.push(describe(error, message)),
      warn: (error, message) => warnings.push(describe(error, message)),
    },
  }
}
