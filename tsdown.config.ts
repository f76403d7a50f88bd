import { defineConfig } from 'tsdown'

export default defineConfig({
  // The core, and one entry per HTTP adapter (the package's subpath exports); code they share is
  // split into common chunks, so a RateLimiter made by the core works in every adapter.
  entry: {
    index: 'src/index.ts',
    express: 'adapters/express.ts',
    koa: 'adapters/koa.ts',
    hono: 'adapters/hono.ts',
    fastify: 'adapters/fastify.ts',
    fetch: 'adapters/fetch.ts',
  },
  format: ['esm', 'cjs'],
  platform: 'node',
  target: 'node20',
  dts: true,
  // The lua/ files are the single source of the scripts: the bundle carries them as text.
  loader: { '.lua': 'text' },
})
