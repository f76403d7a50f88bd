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

export default defineConfig({
  plugins: [luaAsText()],
  test: {
    globalSetup: ['test/setup/redis-servers.ts'],
    setupFiles: ['test/setup/keys-expire.ts'],
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
  },
})
