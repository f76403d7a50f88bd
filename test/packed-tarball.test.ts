// The package as users get it: `npm pack`, installed into a scratch ESM project and a scratch
// CommonJS project, where every subpath is imported by name and runs a small app of its framework.
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const execFileAsync = promisify(execFile)
const npm = (args: string[], cwd: string) => execFileAsync('npm', [...args, '--no-audit', '--no-fund'], { cwd })
const FRAMEWORKS = ['express', 'koa', 'hono', 'fastify']
/** What the user's own project brings: the frameworks, and the OpenTelemetry API for atomic-ratelimit/otel. */
const USER_PACKAGES = [...FRAMEWORKS, '@opentelemetry/api']

/** Runs in both projects: each adapter refuses the second of two requests (limit 1) from one client. */
const body = `
const { RateLimiter, fixedWindow, RedisStore } = core
const limiter = new RateLimiter({ policy: fixedWindow({ limit: 1, windowMs: 60_000 }) })
const twice = async (get) => [await get(), await get()]
async function overHttp(listener) {
  const server = http.createServer(listener).listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const url = 'http://127.0.0.1:' + server.address().port + '/'
  const statuses = await twice(async () => (await fetch(url)).status)
  server.close()
  return statuses
}
const expressApp = express()
expressApp.use(forExpress.rateLimit({ limiter }))
expressApp.get('/', (req, res) => res.send(String(req.rateLimit.remaining)))
const koaApp = new Koa()
koaApp.use(forKoa.rateLimit({ limit: 1 }))
koaApp.use((ctx) => { ctx.body = 'ok' })
const honoApp = new Hono()
honoApp.use(forHono.rateLimit({ limit: 1 }))
honoApp.get('/', (c) => c.text('ok'))
const fastifyApp = Fastify()
await fastifyApp.register(forFastify.rateLimit({ limit: 1 }))
fastifyApp.get('/', async () => 'ok')
const guard = forFetch.rateLimit({ limit: 1 })
const uninstrument = forOtel.instrument() // the API's global providers: no-ops without an SDK
// The drop-in entries, as their peers' users call them: express-rate-limit's export is the function itself.
const compatExpressApp = express()
compatExpressApp.use(compatDefault({ limit: 1 }))
compatExpressApp.get('/', (req, res) => res.send(String(req.rateLimit.used)))
const compatHonoApp = new Hono()
compatHonoApp.use(compatHono.rateLimiter({ limit: 1, keyGenerator: () => 'client' }))
compatHonoApp.get('/', (c) => c.text('ok'))
// @fastify/rate-limit's and koa-ratelimit's exports are the function itself too.
const compatFastifyApp = Fastify()
await compatFastifyApp.register(compatFastify, { max: 1 })
compatFastifyApp.get('/', async () => 'ok')
const compatKoaApp = new Koa()
compatKoaApp.use(compatKoa({ driver: 'memory', max: 1 }))
compatKoaApp.use((ctx) => { ctx.body = 'ok' })
const env = { incoming: { socket: { remoteAddress: '127.0.0.1' } } }
console.log(JSON.stringify({
  frameworksLoadedByThePackage,
  core: [typeof RateLimiter, typeof RedisStore],
  express: await overHttp(expressApp),
  koa: await overHttp(koaApp.callback()),
  hono: await twice(async () => (await honoApp.request('/', {}, env)).status),
  fastify: await twice(async () => (await fastifyApp.inject({ url: '/' })).statusCode),
  fetch: await twice(async () => (await guard(new Request('http://app.test/'), { ip: '127.0.0.1' }))?.status ?? 200),
  otel: typeof uninstrument,
  compat: [typeof compatNamed.rateLimit, typeof compatNamed.ipKeyGenerator, typeof compatHono.webSocketLimiter],
  compatExpress: await overHttp(compatExpressApp),
  compatHono: await twice(async () => (await compatHonoApp.request('/')).status),
  compatFastify: await twice(async () => (await compatFastifyApp.inject({ url: '/' })).statusCode),
  compatKoa: await overHttp(compatKoaApp.callback()),
}))
uninstrument()
await fastifyApp.close()
await compatFastifyApp.close()
`

/** Notes the frameworks loaded so far: run after loading the package, before loading the frameworks. */
const noteFrameworks = `const frameworksLoadedByThePackage = Object.keys(require.cache).filter((path) =>
  /node_modules[\\\\/](express|koa|hono|fastify)[\\\\/]/.test(path))`

/** Loads the package and its subpaths, notes what that loaded, then loads the frameworks. */
const programs = {
  esm: `import { createRequire } from 'node:module'
import http from 'node:http'
import * as core from 'atomic-ratelimit'
import * as forExpress from 'atomic-ratelimit/express'
import * as forKoa from 'atomic-ratelimit/koa'
import * as forHono from 'atomic-ratelimit/hono'
import * as forFastify from 'atomic-ratelimit/fastify'
import * as forFetch from 'atomic-ratelimit/fetch'
import * as forOtel from 'atomic-ratelimit/otel'
import compatDefault, * as compatNamed from 'atomic-ratelimit/compat/express-rate-limit'
import * as compatHono from 'atomic-ratelimit/compat/hono-rate-limiter'
import compatFastify from 'atomic-ratelimit/compat/fastify-rate-limit'
import compatKoa from 'atomic-ratelimit/compat/koa-ratelimit'
const require = createRequire(import.meta.url)
${noteFrameworks}
const { default: express } = await import('express')
const { default: Koa } = await import('koa')
const { Hono } = await import('hono')
const { default: Fastify } = await import('fastify')
${body}`,
  cjs: `const http = require('node:http')
const core = require('atomic-ratelimit')
const forExpress = require('atomic-ratelimit/express')
const forKoa = require('atomic-ratelimit/koa')
const forHono = require('atomic-ratelimit/hono')
const forFastify = require('atomic-ratelimit/fastify')
const forFetch = require('atomic-ratelimit/fetch')
const forOtel = require('atomic-ratelimit/otel')
// Callable, with the named exports on it.
const compatDefault = require('atomic-ratelimit/compat/express-rate-limit')
const compatNamed = compatDefault
const compatHono = require('atomic-ratelimit/compat/hono-rate-limiter')
const compatFastify = require('atomic-ratelimit/compat/fastify-rate-limit')
const compatKoa = require('atomic-ratelimit/compat/koa-ratelimit')
;(async () => {
${noteFrameworks}
const express = require('express')
const Koa = require('koa')
const { Hono } = require('hono')
const Fastify = require('fastify')
${body}
})()`,
}

describe('the packed tarball', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'atomic-ratelimit-pack-'))

  beforeAll(async () => {
    const { stdout } = await npm(['pack', '--json', '--pack-destination', scratch], process.cwd())
    const tarball = join(scratch, JSON.parse(stdout)[0].filename)
    await Promise.all(
      Object.entries(programs).map(async ([kind, program]) => {
        const project = join(scratch, kind)
        const type = kind === 'esm' ? 'module' : 'commonjs'
        mkdirSync(project)
        writeFileSync(join(project, 'package.json'), JSON.stringify({ name: `scratch-${kind}`, private: true, type }))
        writeFileSync(join(project, 'main.js'), program)
        await npm(['install', '--no-save', '--prefer-offline', tarball], project)
        // The packages the tests already installed stand in for the user's own.
        mkdirSync(join(project, 'node_modules', '@opentelemetry'), { recursive: true })
        for (const name of USER_PACKAGES)
          symlinkSync(resolve('node_modules', name), join(project, 'node_modules', name), 'dir')
      }),
    )
  })
  afterAll(() => rmSync(scratch, { recursive: true, force: true }))

  it.each(Object.keys(programs))(
    'installs into a scratch %s project where every subpath imports and runs',
    async (kind) => {
      const { stdout } = await execFileAsync(process.execPath, ['main.js'], { cwd: join(scratch, kind) })
      expect(JSON.parse(stdout)).toEqual({
        frameworksLoadedByThePackage: [],
        core: ['function', 'function'],
        express: [200, 429],
        koa: [200, 429],
        hono: [200, 429],
        fastify: [200, 429],
        fetch: [200, 429],
        otel: 'function',
        compat: ['function', 'function', 'function'],
        compatExpress: [200, 429],
        compatHono: [200, 429],
        compatFastify: [200, 429],
        compatKoa: [200, 429],
      })
    },
  )
})
