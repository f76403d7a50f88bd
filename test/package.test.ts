import { execFile } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixedWindow } from '../src/index.js'
import { internalsOf } from '../src/policy.js'
import { standaloneScript } from '../src/redis/script.js'
import { type RedisServer, startRedisServer } from './helpers/redis-server.js'

const execFileAsync = promisify(execFile)
const manifest = JSON.parse(readFileSync('package.json', 'utf8'))

/** Runs `code` in a fresh Node process at the package root, where `atomic-ratelimit` names the build. */
async function runNode(code: string, type: 'module' | 'commonjs', env: Record<string, string> = {}): Promise<unknown> {
  const { stdout } = await execFileAsync(process.execPath, [`--input-type=${type}`, '-e', code], {
    env: { ...process.env, ...env },
  })
  return JSON.parse(stdout)
}

/** Sorts names as they stand in `order`. */
const byOrderIn = (order: string[]) => (a: string, b: string) => order.indexOf(a) - order.indexOf(b)

const decideOnce = `
  const limiter = new RateLimiter({ policy: fixedWindow({ limit: 2, windowMs: 86_400_000 }) })
  const results = [await limiter.consume('k'), await limiter.consume('k'), await limiter.consume('k')]
  console.log(JSON.stringify(results.map((result) => result.allowed)))`

describe('the built package', () => {
  it('has every file its exports map names', () => {
    const targets = JSON.stringify(manifest.exports).match(/"\.\/dist\/[^"]+"/g) ?? []
    expect(targets.length).toBeGreaterThan(0)
    for (const target of targets) expect(existsSync(JSON.parse(target)), target).toBe(true)
  })

  it('exports one subpath per file in adapters/ and in compat/, each an entry of the build', async () => {
    const { default: config } = await import('../tsdown.config.js')
    const adapters = readdirSync('adapters').map((file) => file.replace(/\.ts$/, ''))
    const compat = readdirSync('compat')
      .filter((file) => file.endsWith('.ts'))
      .map((file) => `compat/${file.replace(/\.ts$/, '')}`)
    expect(compat.length).toBeGreaterThan(0)
    expect(
      Object.keys(manifest.exports).filter(
        (path) => !/^\.\/(lua\/\*|redis-functions\.lua|package\.json|otel)$|^\.$/.test(path),
      ),
    ).toEqual([...adapters, ...compat].map((name) => `./${name}`).sort(byOrderIn(Object.keys(manifest.exports))))
    const entries = (config as { entry: Record<string, string> }).entry
    for (const name of [...adapters, ...compat]) {
      const source = name.startsWith('compat/') ? `${name}.ts` : `adapters/${name}.ts`
      expect(entries[name]).toBe(source)
      expect(manifest.exports[`./${name}`].import.default).toBe(`./dist/${name}.mjs`)
      expect(manifest.exports[`./${name}`].require.types).toBe(`./dist/${name}.d.cts`)
      expect(manifest.typesVersions['*'][name]).toEqual([`./dist/${name}.d.cts`])
    }
    for (const name of adapters)
      expect(manifest.peerDependenciesMeta[name === 'fetch' ? 'ioredis' : name]).toEqual({ optional: true })
  })

  it('exports atomic-ratelimit/otel, an entry of the build, with @opentelemetry/api an optional peer', async () => {
    const { default: config } = await import('../tsdown.config.js')
    expect((config as { entry: Record<string, string> }).entry.otel).toBe('src/otel/index.ts')
    expect(manifest.exports['./otel'].import.default).toBe('./dist/otel.mjs')
    expect(manifest.exports['./otel'].require.types).toBe('./dist/otel.d.cts')
    expect(manifest.typesVersions['*'].otel).toEqual(['./dist/otel.d.cts'])
    expect(manifest.peerDependenciesMeta['@opentelemetry/api']).toEqual({ optional: true })
  })

  it('loads @opentelemetry/api from the otel entry alone: the core and the adapters never do', () => {
    const built = readdirSync('dist').filter((file) => /\.(mjs|cjs)$/.test(file))
    const loading = built.filter((file) =>
      /(from|require\()\s*["']@opentelemetry\//.test(readFileSync(`dist/${file}`, 'utf8')),
    )
    expect(loading.sort()).toEqual(['otel.cjs', 'otel.mjs'])
  })

  it('loads no web framework (nor any peer limiter) from the core, an adapter or a compat entry: they only import types', () => {
    const built = readdirSync('dist', { recursive: true, encoding: 'utf8' }).filter((file) => /\.(mjs|cjs)$/.test(file))
    for (const file of built)
      expect(readFileSync(`dist/${file}`, 'utf8').replace(/\/\*[\s\S]*?\*\//g, ''), file).not.toMatch(
        /(from|require\(|import\()\s*["'](express|koa|hono|fastify|@fastify\/rate-limit|koa-ratelimit|express-rate-limit|hono-rate-limiter)/,
      )
    expect(manifest.dependencies ?? {}).toEqual({})
  })

  it('can be imported by name as ESM', async () => {
    const code = `import { RateLimiter, fixedWindow } from 'atomic-ratelimit'\n${decideOnce}`
    expect(await runNode(code, 'module')).toEqual([true, true, false])
  })

  it('can be required by name as CommonJS', async () => {
    const code = `const { RateLimiter, fixedWindow } = require('atomic-ratelimit');\n(async () => {${decideOnce}})()`
    expect(await runNode(code, 'commonjs')).toEqual([true, true, false])
  })

  it('requires the Fastify and Koa drop-ins as their peers are required: the function itself', async () => {
    const code = `
      const fastifyRateLimit = require('atomic-ratelimit/compat/fastify-rate-limit')
      const ratelimit = require('atomic-ratelimit/compat/koa-ratelimit')
      console.log(JSON.stringify([
        typeof fastifyRateLimit, fastifyRateLimit.default === fastifyRateLimit,
        fastifyRateLimit.fastifyRateLimit === fastifyRateLimit, typeof fastifyRateLimit.normalizeIP,
        typeof ratelimit, ratelimit.name,
      ]))`
    expect(await runNode(code, 'commonjs')).toEqual(['function', true, true, 'function', 'function', 'ratelimit'])
  })

  it('ships the lua/ files under atomic-ratelimit/lua/*', async () => {
    const code =
      "console.log(JSON.stringify(require('node:fs').readFileSync(require.resolve('atomic-ratelimit/lua/fixed-window.lua'), 'utf8')))"
    expect(await runNode(code, 'commonjs')).toBe(readFileSync('lua/fixed-window.lua', 'utf8'))
  })

  it('ships no lua/ file left mutated by an interrupted `npm run mutate:lua` (it keeps their originals meanwhile)', () => {
    const originals = 'reports/mutation/lua-originals'
    expect(existsSync(originals) ? readdirSync(originals) : []).toEqual([])
  })

  describe('on Redis', () => {
    let server: RedisServer
    beforeAll(async () => {
      server = await startRedisServer()
    })
    afterAll(() => server.destroy())

    it('runs the lua/ files, by the SHA1 computed from them', async () => {
      const code = `
        import { RateLimiter, RedisStore } from 'atomic-ratelimit'
        import { Redis } from 'ioredis'
        const client = new Redis({ host: '127.0.0.1', port: Number(process.env.REDIS_PORT) })
        const result = await new RateLimiter({ store: new RedisStore({ client }), prefix: 'smoke' }).consume('k')
        client.disconnect()
        console.log(JSON.stringify(result))`
      expect(await runNode(code, 'module', { REDIS_PORT: String(server.port) })).toMatchObject({
        allowed: true,
        degraded: false,
      })
      // A lone one-policy consume runs the algorithm's own file.
      const expected = standaloneScript(internalsOf(fixedWindow({ limit: 1, windowMs: 1 })).algorithm)
      const client = new Redis({ host: '127.0.0.1', port: server.port })
      expect(await client.script('EXISTS', expected.sha1)).toEqual([1])
      client.disconnect()
    })
  })
})
