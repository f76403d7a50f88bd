// One app per HTTP adapter on a real loopback socket, for behaviour that only a real connection
// shows: a client that goes away mid-request, a response another middleware already sent. Each app
// serves GET / behind the limiter, with the route's work given by the test, and records every
// error that reaches the framework's own error handling.
import { createServer, type Server, type ServerResponse } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { getRequestListener, type HttpBindings } from '@hono/node-server'
import type express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { timeout } from 'hono/timeout'
import type Koa from 'koa'
import { rateLimit as expressRateLimit } from '../../adapters/express.js'
import { rateLimit as fastifyRateLimit } from '../../adapters/fastify.js'
import { rateLimit as fetchRateLimit } from '../../adapters/fetch.js'
import { rateLimit as honoRateLimit } from '../../adapters/hono.js'
import { rateLimit as koaRateLimit } from '../../adapters/koa.js'

const require = createRequire(import.meta.url)

/** What to serve. */
export interface SocketAppSpec {
  /** The options of the adapter's `rateLimit()`. */
  readonly options: Record<string, unknown>
  /**
   * The route's work: resolves to the status to answer with; a rejection is the handler throwing.
   * `clientGone` resolves once the server has seen the client leave before the response was complete.
   */
  readonly route: (clientGone: Promise<void>) => Promise<number>
  /** When set, a timeout in front of the limiter answers 503 this many ms into every request. */
  readonly answerAfterMs?: number
}

/** A served app. */
export interface SocketApp {
  readonly url: string
  /** Errors that reached the framework's error handling (or, for Fastify, its log at warn or worse). */
  readonly errors: unknown[]
  close(): Promise<void>
}

/** How one adapter is served. */
export interface SocketHarness {
  readonly name: string
  /** Whether the framework can answer a request while the limiter still waits (all but fetch). */
  readonly answersEarly: boolean
  start(spec: SocketAppSpec): Promise<SocketApp>
}

/** Resolves once `response` closes unfinished: its client went away. */
function goneBefore(response: ServerResponse): Promise<void> {
  if (response.destroyed) return response.writableFinished ? new Promise(() => {}) : Promise.resolve()
  return new Promise((resolve) => response.once('close', () => response.writableFinished || resolve()))
}

async function serveOn(server: Server, errors: unknown[]): Promise<SocketApp> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    errors,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function expressHarness(name: string, createApp: typeof express): SocketHarness {
  return {
    name,
    answersEarly: true,
    async start({ options, route, answerAfterMs }) {
      const errors: unknown[] = []
      const app = createApp()
      if (answerAfterMs !== undefined)
        app.use((_req, res, next) => {
          const timer = setTimeout(() => res.headersSent || res.status(503).send('timed out'), answerAfterMs)
          res.once('close', () => clearTimeout(timer))
          next()
        })
      app.use(expressRateLimit(options))
      app.get('/', (_req, res, next) => {
        route(goneBefore(res)).then((status) => res.headersSent || res.status(status).send('done'), next)
      })
      app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        errors.push(error)
        if (res.headersSent) res.end()
        else res.status(500).send('error')
      })
      return serveOn(createServer(app), errors)
    },
  }
}

function koaHarness(name: string, KoaApp: typeof Koa): SocketHarness {
  return {
    name,
    answersEarly: true,
    async start({ options, route, answerAfterMs }) {
      const errors: unknown[] = []
      const app = new KoaApp()
      app.silent = true
      app.on('error', (error: unknown) => errors.push(error))
      if (answerAfterMs !== undefined)
        app.use(async (ctx, next) => {
          let timer: NodeJS.Timeout | undefined
          const timedOut = new Promise<void>((resolve) => {
            timer = setTimeout(resolve, answerAfterMs)
          }).then(() => {
            ctx.status = 503
            ctx.body = 'timed out'
          })
          // What the rest of the chain throws after the answer went is recorded, not lost.
          const rest = next().catch((error: unknown) => {
            errors.push(error)
            throw error
          })
          await Promise.race([rest, timedOut]).finally(() => clearTimeout(timer))
        })
      app.use(koaRateLimit(options))
      app.use(async (ctx) => {
        ctx.status = await route(goneBefore(ctx.res))
        ctx.body = 'done'
      })
      return serveOn(createServer(app.callback()), errors)
    },
  }
}

const honoHarness: SocketHarness = {
  name: 'hono',
  answersEarly: true,
  async start({ options, route, answerAfterMs }) {
    const errors: unknown[] = []
    const app = new Hono<{ Bindings: HttpBindings }>()
    app.onError((error, c) => {
      if (error instanceof HTTPException) return error.getResponse()
      errors.push(error)
      return c.text('error', 500)
    })
    if (answerAfterMs !== undefined)
      app.use(timeout(answerAfterMs, () => new HTTPException(503, { message: 'timed out' })))
    app.use(honoRateLimit(options))
    app.get('/', async (c) => c.text('done', (await route(goneBefore(c.env.outgoing))) as 200))
    return serveOn(createServer(getRequestListener(app.fetch)), errors)
  },
}

const fastifyHarness: SocketHarness = {
  name: 'fastify',
  answersEarly: true,
  async start({ options, route, answerAfterMs }) {
    const errors: unknown[] = []
    const stream = { write: (line: string) => errors.push(JSON.parse(line)) }
    const app = Fastify({ logger: { level: 'warn', stream } })
    if (answerAfterMs !== undefined)
      app.addHook('onRequest', (_request, reply, done) => {
        const timer = setTimeout(() => reply.sent || reply.code(503).send('timed out'), answerAfterMs)
        reply.raw.once('close', () => clearTimeout(timer))
        done()
      })
    await app.register(fastifyRateLimit(options))
    app.get('/', async (_request, reply) => {
      reply.code(await route(goneBefore(reply.raw)))
      return 'done'
    })
    await app.listen({ port: 0, host: '127.0.0.1' })
    const { port } = app.server.address() as AddressInfo
    const close = async () => {
      app.server.closeAllConnections()
      await app.close()
    }
    return { url: `http://127.0.0.1:${port}/`, errors, close }
  },
}

/** The fetch guard in a `node:http` server that aborts the Request's signal when its client leaves, as Deno and Bun do. */
const fetchHarness: SocketHarness = {
  name: 'fetch',
  answersEarly: false,
  async start({ options, route }) {
    const errors: unknown[] = []
    const limit = fetchRateLimit(options)
    const server = createServer(async (req, res) => {
      const controller = new AbortController()
      res.once('close', () => res.writableFinished || controller.abort())
      const request = new Request(`http://127.0.0.1${req.url}`, { signal: controller.signal })
      let response: Response
      try {
        const refused = await limit(request, { ip: req.socket.remoteAddress })
        const gone = controller.signal.aborted
          ? Promise.resolve()
          : new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve()))
        response = refused ?? limit.finish(request, new Response('done', { status: await route(gone) }))
      } catch (error) {
        errors.push(error)
        limit.fail(request)
        response = new Response('error', { status: 500 })
      }
      if (res.destroyed) return
      res.writeHead(response.status, Object.fromEntries(response.headers))
      res.end(await response.text())
    })
    return serveOn(server, errors)
  },
}

/** Every adapter, Express 4 and Koa 2 included, each on a socket of its own. */
export const socketHarnesses: readonly SocketHarness[] = [
  expressHarness('express', require('express')),
  expressHarness('express 4', require('express4')),
  koaHarness('koa', require('koa')),
  koaHarness('koa 2', require('koa2')),
  honoHarness,
  fastifyHarness,
  fetchHarness,
]
