// One harness per HTTP adapter, so a single conformance suite drives them all the same way: each
// builds an app where routes under /a and /b sit behind their own limiter (or none), answered in
// memory where the framework allows it (Hono, Fastify, fetch) and on a loopback server otherwise.
import { createServer, type RequestListener, request } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import type express from 'express'
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import { type Context, Hono } from 'hono'
import type Koa from 'koa'
import { rateLimit as expressRateLimit } from '../../adapters/express.js'
import { rateLimit as fastifyRateLimit } from '../../adapters/fastify.js'
import { type FetchRateLimit, rateLimit as fetchRateLimit } from '../../adapters/fetch.js'
import { rateLimit as honoRateLimit } from '../../adapters/hono.js'
import { rateLimit as koaRateLimit } from '../../adapters/koa.js'

const require = createRequire(import.meta.url)

/** A limiter in front of the routes under `path`: `${path}/ok` answers 200, `${path}/fail` 500. */
export interface Mount {
  readonly path: '/a' | '/b'
  readonly options: Record<string, unknown>
}

/** A response, as every harness reports it. */
export interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly text: string
}

/**
 * The app a harness built. Route bodies are `{ "rateLimit": <the decision exposed to the route> }`.
 * Requests come from `clientIp` (default CLIENT_IP), a loopback address.
 */
export interface TestApp {
  get(path: string, headers?: Record<string, string>, clientIp?: string): Promise<Reply>
  close(): Promise<void>
}

/** How the app is reached. */
export interface AppSetup {
  /**
   * Behind one proxy at the client's address: the framework's own proxy setting trusts it (Express
   * `trust proxy` 1, Koa `proxy` with `maxIpsCount` 1, Fastify `trustProxy` that address), Hono and
   * fetch get `trustProxy: 1`, so X-Forwarded-For's last entry is the client.
   */
  readonly behindOneProxy?: boolean
}

/** How the suite drives one adapter. */
export interface Harness {
  readonly name: string
  build(mounts: readonly Mount[], setup?: AppSetup): Promise<TestApp>
  /** A request header, read from what the adapter hands to callbacks (req, ctx, c, request). */
  header(request: unknown, name: string): string | undefined
  /** The status of what the adapter hands to `requestWasSuccessful`. */
  status(response: unknown): number
  /** A `handler` that answers 418 with the text `teapot`. */
  readonly teapot: unknown
}

/** The loopback address every harness reports as the client's. */
export const CLIENT_IP = '127.0.0.1'

/** Every adapter's `rateLimit`, by adapter name: for the option checks that run before any request. */
export const rateLimitFactories = {
  express: expressRateLimit,
  koa: koaRateLimit,
  hono: honoRateLimit,
  fastify: fastifyRateLimit,
  fetch: fetchRateLimit,
} as Record<string, (options: object) => unknown>

const ROUTE = /^\/(a|b)\/(ok|fail)$/

function statusOfRoute(path: string): number | undefined {
  const match = ROUTE.exec(path)
  return match ? (match[2] === 'ok' ? 200 : 500) : undefined
}

/** The options of Hono and fetch, which take the proxy setting as their own `trustProxy`. */
function withProxy(options: Record<string, unknown>, setup: AppSetup): Record<string, unknown> {
  return setup.behindOneProxy ? { ...options, trustProxy: 1 } : options
}

async function listen(listener: RequestListener): Promise<TestApp> {
  const server = createServer(listener)
  await new Promise<void>((resolve) => server.listen(0, CLIENT_IP, resolve))
  const { port } = server.address() as AddressInfo
  return {
    get: (path, headers = {}, clientIp = CLIENT_IP) => loopbackGet(port, path, headers, clientIp),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

/** A GET on a real socket whose source address is `clientIp` (any 127.x.y.z works on loopback). */
function loopbackGet(port: number, path: string, headers: Record<string, string>, clientIp: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const options = { host: CLIENT_IP, port, path, headers, localAddress: clientIp, agent: false }
    request(options, (response) => {
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => {
        text += chunk
      })
      response.on('end', () => {
        const replyHeaders = new Headers()
        for (const [name, value] of Object.entries(response.headers)) replyHeaders.set(name, String(value))
        resolve({ status: response.statusCode ?? 0, headers: replyHeaders, text })
      })
    })
      .on('error', reject)
      .end()
  })
}

function expressHarness(name: string, createApp: typeof express): Harness {
  return {
    name,
    async build(mounts, setup = {}) {
      const app = createApp()
      if (setup.behindOneProxy) app.set('trust proxy', 1)
      for (const { path, options } of mounts) app.use(path, expressRateLimit(options))
      app.get(ROUTE, (req, res) => {
        res.status(statusOfRoute(req.path) ?? 404).json({ rateLimit: req.rateLimit ?? null })
      })
      return listen(app)
    },
    header: (req, name) => (req as express.Request).get(name),
    status: (res) => (res as express.Response).statusCode,
    teapot: (_req: express.Request, res: express.Response) => res.status(418).send('teapot'),
  }
}

function koaHarness(name: string, KoaApp: typeof Koa): Harness {
  return {
    name,
    async build(mounts, setup = {}) {
      const app = setup.behindOneProxy ? new KoaApp({ proxy: true, maxIpsCount: 1 }) : new KoaApp()
      for (const { path, options } of mounts) {
        const middleware = koaRateLimit(options)
        app.use((ctx, next) => (ctx.path.startsWith(`${path}/`) ? middleware(ctx, next) : next()))
      }
      app.use((ctx) => {
        ctx.status = statusOfRoute(ctx.path) ?? 404
        ctx.body = { rateLimit: ctx.state.rateLimit ?? null }
      })
      return listen(app.callback())
    },
    header: (ctx, name) => (ctx as Koa.Context).get(name) || undefined,
    status: (ctx) => (ctx as Koa.Context).status,
    teapot: (ctx: Koa.Context) => {
      ctx.status = 418
      ctx.body = 'teapot'
    },
  }
}

const honoHarness: Harness = {
  name: 'hono',
  async build(mounts, setup = {}) {
    const app = new Hono()
    for (const { path, options } of mounts) app.use(`${path}/*`, honoRateLimit(withProxy(options, setup)))
    app.get('/:mount/:outcome', (c: Context) => {
      const status = statusOfRoute(c.req.path)
      if (!status) return c.notFound()
      return c.json({ rateLimit: c.get('rateLimit') ?? null }, status === 200 ? 200 : 500)
    })
    return {
      async get(path, headers = {}, clientIp = CLIENT_IP) {
        // @hono/node-server hands the Node request over as env.incoming; app.request() takes that env.
        const env = { incoming: { socket: { remoteAddress: clientIp } } }
        const response = await app.request(path, { headers }, env)
        return { status: response.status, headers: response.headers, text: await response.text() }
      },
      close: async () => undefined,
    }
  },
  header: (c, name) => (c as Context).req.header(name),
  status: (c) => (c as Context).res.status,
  teapot: (c: Context) => c.text('teapot', 418),
}

const fastifyHarness: Harness = {
  name: 'fastify',
  async build(mounts, setup = {}) {
    // Fastify 5.12.1 and later take no hop count: the proxy is named by its address.
    const app = Fastify(setup.behindOneProxy ? { trustProxy: CLIENT_IP } : {})
    for (const path of ['/a', '/b'] as const) {
      const mount = mounts.find((candidate) => candidate.path === path)
      await app.register(
        async (scope) => {
          if (mount) await scope.register(fastifyRateLimit(mount.options))
          scope.get('/:outcome', async (request, reply) => {
            reply.code(statusOfRoute(request.url) ?? 404)
            return { rateLimit: request.rateLimit ?? null }
          })
        },
        { prefix: path },
      )
    }
    await app.ready()
    return {
      async get(path, headers = {}, clientIp = CLIENT_IP) {
        const response = await app.inject({ method: 'GET', url: path, headers, remoteAddress: clientIp })
        const replyHeaders = new Headers()
        for (const [key, value] of Object.entries(response.headers)) replyHeaders.set(key, String(value))
        return { status: response.statusCode, headers: replyHeaders, text: response.body }
      },
      close: () => app.close(),
    }
  },
  header: (request, name) => (request as FastifyRequest).headers[name.toLowerCase()] as string | undefined,
  status: (reply) => (reply as FastifyReply).statusCode,
  teapot: (_request: FastifyRequest, reply: FastifyReply) => {
    reply.code(418)
    return 'teapot'
  },
}

const fetchHarness: Harness = {
  name: 'fetch',
  async build(mounts, setup = {}) {
    const guards = new Map<string, FetchRateLimit>(
      mounts.map(({ path, options }) => [path, fetchRateLimit(withProxy(options, setup))]),
    )
    async function serve(request: Request, clientIp: string): Promise<Response> {
      const { pathname } = new URL(request.url)
      const guard = guards.get(pathname.slice(0, 2))
      const refused = await guard?.(request, { ip: clientIp })
      if (refused) return refused
      const status = statusOfRoute(pathname) ?? 404
      const response = Response.json({ rateLimit: guard?.resultOf(request) ?? null }, { status })
      return guard ? guard.finish(request, response) : response
    }
    return {
      async get(path, headers = {}, clientIp = CLIENT_IP) {
        const response = await serve(new Request(`http://app.test${path}`, { headers }), clientIp)
        return { status: response.status, headers: response.headers, text: await response.text() }
      },
      close: async () => undefined,
    }
  },
  header: (request, name) => (request as Request).headers.get(name) ?? undefined,
  status: (response) => (response as Response).status,
  teapot: () => new Response('teapot', { status: 418 }),
}

/** Every adapter, with Express 4 and Koa 2 (the older majors the peer ranges accept) run the same way. */
export const harnesses: readonly Harness[] = [
  expressHarness('express', require('express')),
  expressHarness('express 4', require('express4')),
  koaHarness('koa', require('koa')),
  koaHarness('koa 2', require('koa2')),
  honoHarness,
  fastifyHarness,
  fetchHarness,
]
