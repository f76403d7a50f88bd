import { defineConfig } from 'vitest/config'
import { shared } from './vitest.config.js'

/**
 * Test files a mutation run leaves out, and why. A mutant lives in the sources: a test that runs
 * the built package (dist/, in a child process or by name) never sees it, and one that measures
 * deadlines in ms under fault injection turns a slow mutant into a flaky verdict.
 */
export const notForMutation = [
  'test/chaos-*.test.ts', // fault injection, timing sensitive: 23 s of flaky verdicts per mutant
  'test/bench-smoke.test.ts', // runs bench/ against dist/
  'test/concurrency.test.ts', // worker processes load dist/
  'test/examples.test.ts', // runs examples/ against dist/
  'test/flash-sale.test.ts', // runs examples/ against dist/
  'test/memory-bound.test.ts', // a child process floods dist/
  'test/package.test.ts', // checks dist/ and package.json
  'test/packed-tarball.test.ts', // installs the packed tarball
]

/**
 * The suite as a mutation run uses it (npm run mutate, npm run mutate:lua): one project, the test
 * Redis servers, no build, no report files of its own.
 */
export default defineConfig({
  ...shared,
  test: {
    ...shared.test,
    globalSetup: ['test/setup/redis-servers.ts'],
    include: ['test/**/*.test.ts'],
    exclude: notForMutation,
  },
})
