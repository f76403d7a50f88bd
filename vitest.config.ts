import { readFile } from 'node:fs/promises'
import { defineConfig, type Plugin } from 'vitest/config'

/** Loads lua/*.lua as text, as the tsdown build does, so tests run the same script sources. */
function luaAsText(): Plugin {
  return {
    name: 'lua-as-text',
    async load(id) {
      if (!id.endsWith('.lua')) return null
      return `export default ${JSON.stringify(await readFile(id, 'utf8'))}`
    },
  }
}

/** Settings every test project shares, mutation runs' included (vitest.mutate.config.ts). */
export const shared = {
  plugins: [luaAsText()],
  test: {
    setupFiles: ['test/setup/keys-expire.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    tags: [
      { name: 'speed', description: 'holds code to a wall-clock budget; mutation runs leave it out' },
      {
        name: 'built',
        description: 'reads the built package (dist/); mutation runs, which build nothing, leave it out',
      },
      {
        name: 'waits',
        description:
          'waits out real seconds (a client honouring Retry-After, handlers left hanging); mutation runs leave it out',
      },
    ],
  },
}

export default defineConfig({
  test: {
    // The build first (the tests that load the package by name need it), then the Redis servers, once.
    globalSetup: ['test/setup/build-if-stale.ts', 'test/setup/redis-servers.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
    projects: [
      {
        ...shared,
        test: { ...shared.test, name: 'main', include: ['test/**/*.test.ts'], exclude: ['test/chaos-*.test.ts'] },
      },
      {
        ...shared,
        // Fault injection measures deadlines in ms: it runs alone, after everything else.
        test: {
          ...shared.test,
          name: 'chaos',
          include: ['test/chaos-*.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
