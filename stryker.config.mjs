// StrykerJS over src/, adapters/ and compat/: `npm run mutate` (TESTING.md has the score and why).
// The vitest runner runs vitest.mutate.config.ts: the suite without the tests of the built package
// and without fault injection. Per-test coverage runs each mutant against the tests that reach it.

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts' },
  mutate: ['{src,adapters,compat}/**/*.ts', '!**/*.d.ts'],
  coverageAnalysis: 'perTest',
  // Static mutants (module-level values, run once at import) cannot be traced to tests: each would
  // run all 637 tests. They are a fifth of the mutants and would take as long as the rest together.
  ignoreStatic: true,
  // Two workers: each runs its own vitest and its own Redis servers; the machine has two cores.
  concurrency: 2,
  // A mutant that makes a test wait for a deadline or a retry takes seconds, not minutes.
  timeoutMS: 10_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  incrementalFile: 'reports/mutation/incremental.json',
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  ignorePatterns: ['dist', 'bench', 'examples', '*.tgz', '.redis-test', '*.md'],
}
