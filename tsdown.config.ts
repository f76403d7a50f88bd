import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { defineConfig } from 'tsdown'

export default defineConfig({
  // The core, one entry per HTTP adapter and the OpenTelemetry bridge (the package's subpath
  // The core, one entry per HTTP adapter and one per drop-in for a peer (the package's subpath
  // exports); code they share is split into common chunks, so a RateLimiter made by the core works
  // in every adapter.
  entry: {
    index: 'src/index.ts',
    express: 'adapters/express.ts',
    koa: 'adapters/koa.ts',
    hono: 'adapters/hono.ts',
    fastify: 'adapters/fastify.ts',
    fetch: 'adapters/fetch.ts',
    otel: 'src/otel/index.ts',
    'compat/express-rate-limit': 'compat/express-rate-limit.ts',
    'compat/hono-rate-limiter': 'compat/hono-rate-limiter.ts',
    'compat/koa-ratelimit': 'compat/koa-ratelimit.ts',
    'compat/fastify-rate-limit': 'compat/fastify-rate-limit.ts',
  },
  format: ['esm', 'cjs'],
  outputOptions: (options, format) =>
    format === 'cjs' ? { ...options, exports: 'named', footer: callableDefault } : options,
  platform: 'node',
  target: 'node20',
  dts: true,
  // The lua/ files are the single source of the scripts: the bundle carries them as text.
  loader: { '.lua': 'text' },
  hooks: { 'build:done': ({ options }) => writeFunctionsLibrary(options.outDir) },
})

/** The compat entries whose peer's CommonJS export is its function itself, its named exports attached. */
const CALLABLE_CJS = new Set(['compat/express-rate-limit', 'compat/fastify-rate-limit', 'compat/koa-ratelimit'])

/**
 * `require('atomic-ratelimit/compat/express-rate-limit')` returns `rateLimit`, with the named
 * exports (and `default`) on it, as `require('express-rate-limit')` does; likewise the plugin of
 * `@fastify/rate-limit` and koa-ratelimit's middleware factory.
 */
function callableDefault(chunk: { isEntry: boolean; name: string; fileName: string }): string {
  if (!chunk.isEntry || !CALLABLE_CJS.has(chunk.name) || !chunk.fileName.endsWith('.cjs')) return ''
  return 'module.exports = Object.assign(exports.default, exports);'
}

/**
 * Ships the Redis Functions library as a file (`redis-cli -x FUNCTION LOAD < …`), composed by the
 * code just built, so it is the very text RedisStore loads with `scripts: 'functions'`.
 */
async function writeFunctionsLibrary(outDir: string): Promise<void> {
  const built = pathToFileURL(join(outDir, 'index.mjs'))
  built.search = String(Date.now()) // a rebuild in the same process (watch mode) imports anew
  const { redisFunctionsLibrary } = (await import(built.href)) as { redisFunctionsLibrary: () => string }
  await writeFile(join(outDir, 'redis-functions.lua'), redisFunctionsLibrary())
}
