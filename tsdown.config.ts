import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { defineConfig } from 'tsdown'

export default defineConfig({
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
    'compat/koa-ratelimit': 'compat/koa-ratelimit.ts',
    'compat/fastify-rate-limit': 'compat/fastify-rate-limit.ts',
  },
  format: ['esm', 'cjs'],
  platform: 'node',
  target: 'node20',
  dts: true,
  // The lua/ files are the single source of the scripts: the bundle carries them as text.
  loader: { '.lua': 'text' },
  hooks: {
    'build:done': async ({ options }) => {
      await writeFunctionsLibrary(options.outDir)
      await Promise.all(CALLABLE_COMMONJS.map((entry) => makeCallable(join(options.outDir, `${entry}.cjs`))))
    },
  },
})

/**
 * Drop-ins whose peer's CommonJS export is the function itself, with its named exports on it
 * (`module.exports = plugin`, `module.exports.default = plugin`, ...), while their ES module has
 * named exports too. (A drop-in with a default export only gets `module.exports =` from the build.)
 */
const CALLABLE_COMMONJS = ['compat/fastify-rate-limit']

/** Ends the CommonJS file so that `require` gives its default export, every named export on it. */
async function makeCallable(file: string): Promise<void> {
  const code = await readFile(file, 'utf8')
  await writeFile(file, `${code}\nmodule.exports = Object.assign(exports.default, exports);\n`)
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
