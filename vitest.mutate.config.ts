import { relative } from 'node:path'
import { defineConfig } from 'vitest/config'
import { BaseSequencer, type TestSpecification } from 'vitest/node'
import { shared } from './vitest.config.js'

/**
 * Test files a mutation run leaves out, and why. A mutant lives in the sources: a test that runs
 * the built package (dist/, in a child process or by name) never sees it, and one that measures
 * deadlines in ms under fault injection turns a slow mutant into a flaky verdict.
 */
export const notForMutation = [
  'test/chaos-*.test.ts', // fault injection, timing sensitive: 23 s of flaky verdicts per mutant
  'test/bench-smoke.test.ts', // runs bench/ against dist/
  'test/bench-addresses.test.ts', // runs bench/ against dist/
  'test/concurrency.test.ts', // worker processes load dist/
  'test/hit-counter-concurrency.test.ts', // worker processes load dist/
  'test/examples.test.ts', // runs examples/ against dist/
  'test/flash-sale.test.ts', // runs examples/ against dist/
  'test/memory-bound.test.ts', // a child process floods dist/
  'test/memory-tenants.test.ts', // a child process makes limiters of dist/
  'test/package.test.ts', // checks dist/ and package.json
  'test/packed-tarball.test.ts', // installs the packed tarball
  'test/readme-snippets.test.ts', // typechecks and runs the README's code against dist/
]

/**
 * The order a mutant meets its test files in, one at a time and stopping at the first failure:
 * files that failed their last run first (the neighbouring mutant's killer is likely this one's),
 * then the quickest first. Vitest's own order runs the longest first, to fill parallel workers;
 * a mutation run has one worker per mutant, where that makes each killed mutant wait out the
 * slowest files (seconds of real waits for Retry-After) before the test that kills it.
 */
class QuickVerdictSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const { cache, config } = this.ctx
    const lastRun = (file: TestSpecification) =>
      cache.getFileTestResults(`${file.project.name}:${relative(config.root, file.moduleId)}`)
    return [...files].sort((a, b) => {
      const [runA, runB] = [lastRun(a), lastRun(b)]
      if (!runA || !runB) return runA ? 1 : runB ? -1 : 0
      if (runA.failed !== runB.failed) return runA.failed ? -1 : 1
      return runA.duration - runB.duration
    })
  }
}

/** Vitest reads `tagsFilter` from the config file as from the command line, though it types it as the latter only. */
const leaveOutTaggedTests = { tagsFilter: ['!speed && !built && !waits'] }

/**
 * The suite as a mutation run uses it (npm run mutate, npm run mutate:lua): one project, the test
 * Redis servers, no build, no report files of its own, property tests on a fixed seed. Tests tagged
 * `speed` are left out too: Stryker's instrumented code runs several times slower, so they would
 * fail with every mutant; so are those tagged `built`, which read dist/ (not built here), and those
 * tagged `waits`: their real seconds (126 of the 199 s the rest take, one test at a time) would be
 * waited out by every mutant that survives, so the score is measured without them, a lower bound.
 */
export default defineConfig({
  ...shared,
  test: {
    ...shared.test,
    globalSetup: ['test/setup/redis-servers.ts'],
    setupFiles: [...shared.test.setupFiles, 'test/setup/fixed-seed.ts'],
    include: ['test/**/*.test.ts'],
    exclude: notForMutation,
    ...leaveOutTaggedTests,
    // A deadline checked to within tens of ms can miss on a loaded machine: a test that fails by
    // chance must not end a run (in Stryker's first, unmutated run) or kill a mutant it did not catch.
    retry: 1,
    // A mutant that leaves a promise pending fails its test in 10 s (twice, with the retry), well
    // within Stryker's timeout for the run, which would restart the worker and its Redis servers.
    testTimeout: 10_000,
    hookTimeout: 10_000,
    sequence: { sequencer: QuickVerdictSequencer },
  },
})
