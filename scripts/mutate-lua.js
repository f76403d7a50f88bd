// `npm run mutate:lua [-- --incremental] [--quick] [lua/<file>.lua ...]`: mutation testing of the Lua scripts,
// which no npm tool mutates. Each rule of scripts/lua-mutations.js is applied, one mutant at a time,
// to each lua/*.lua file; the Lua-facing test files run against it in one Vitest (one set of Redis
// servers), stopping at the first failure. The file is always put back: after each mutant, on
// Ctrl-C, and at the next start if a crash left a copy behind. Reports as Stryker does: survivors,
// a score per file, and reports/mutation/lua.json (Stryker's report schema). See TESTING.md.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { createVitest } from 'vitest/node'
import { luaTestRounds, mutantsOf } from './lua-mutations.js'
import { IncrementalResults } from './mutate-lua/incremental.js'
import { judge, TestServers, verdictOf } from './mutate-lua/judge.js'
import { printReport, writeReport } from './mutate-lua/report.js'
import { LuaSources } from './mutate-lua/sources.js'

const REPORT_DIR = 'reports/mutation'

const args = process.argv.slice(2)
const named = args.filter((arg) => arg.endsWith('.lua'))
const files = named.length > 0 ? named : readdirSync('lua').map((name) => `lua/${name}`)
// `--quick`: the quick test files only, so a mutant they leave alive costs seconds, not minutes; its
// score is a lower bound of the full run's (and its verdicts are kept apart from a full run's).
const testRounds = args.includes('--quick') ? luaTestRounds.slice(0, 1) : luaTestRounds

mkdirSync(REPORT_DIR, { recursive: true })
const sources = new LuaSources(`${REPORT_DIR}/lua-originals`)
sources.restoreLeftovers()
const previous = new IncrementalResults(
  `${REPORT_DIR}/lua-incremental.json`,
  testRounds.flat(),
  args.includes('--incremental'),
)
// Test workers inherit it: the tests' own RateLimitWarnings would bury the report.
process.env.NODE_NO_WARNINGS = '1'
// The verdicts are read from the run results: a reporter printing each mutant's run would be noise.
const vitest = await createVitest('test', { config: 'vitest.mutate.config.ts', watch: false, bail: 1, reporters: [{}] })
const startedMs = Date.now()
const results = []
/** Files whose every mutant is judged. */
const done = []
let servers
try {
  const context = await baseline()
  servers = context.servers
  for (const file of files) {
    results.push(...(await mutateFile(file, context)))
    done.push(file)
    writeReport(`${REPORT_DIR}/lua.json`, results)
  }
} finally {
  sources.restoreAll()
  servers?.close()
  await vitest.close()
}
printReport(results, Date.now() - startedMs)
// Killed mutants are failed test runs, for which Vitest sets a failure exit code: the run itself succeeded.
process.exitCode = 0

/** Runs each round of tests on the unmutated scripts (they must pass) and times it, for its timeout. */
async function baseline() {
  await vitest.standalone()
  const rounds = []
  for (const files of testRounds) {
    const specifications = await vitest.globTestSpecifications(files)
    const startedMs = performance.now()
    const verdict = verdictOf(await vitest.runTestSpecifications(specifications))
    if (verdict.status !== 'Survived') throw new Error(`the tests fail without any mutant: ${verdict.reason}`)
    const tookMs = performance.now() - startedMs
    console.log(`${files.length} test files, ${Math.round(tookMs / 1000)} s unmutated`)
    rounds.push({ specifications, timeoutMs: Math.round(2 * tookMs + 10_000) })
  }
  const servers = new TestServers(vitest.getRootProject().getProvidedContext().redis)
  return { vitest, rounds, sources, servers, lastKillers: new Map() }
}

/** Every mutant of one file, judged (or taken from the last run, or skipped as equivalent). */
async function mutateFile(file, context) {
  const original = readFileSync(file, 'utf8')
  const mutants = mutantsOf(file, original)
  process.stdout.write(`${file}: ${mutants.length} mutants `)
  sources.hold(file, original)
  const judged = []
  for (const mutant of mutants) {
    const verdict = mutant.equivalence
      ? { status: 'Ignored', reason: mutant.equivalence }
      : (previous.statusOf(mutant) ?? (await judge(context, mutant)))
    previous.record(mutant, verdict)
    judged.push({ ...mutant, ...verdict })
    // Saved after every mutant: a run stopped part way (Ctrl-C, a session's end) keeps each verdict
    // it reached, and the next `--incremental` run starts from there.
    previous.save([...done, file], [...results, ...judged])
    process.stdout.write(verdict.status === 'Survived' ? 'S' : verdict.status[0].toLowerCase())
  }
  sources.release(file)
  process.stdout.write('\n')
  return judged
}
