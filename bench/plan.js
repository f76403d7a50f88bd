// How long and how often the benchmark measures, from the command line:
//   node bench/main.js                  full run: the figures in BENCHMARKS.md
//   node bench/main.js --quick          the same, shorter runs and fewer rounds (under 2 minutes)
//   node bench/main.js --smoke          a few ms per run: checks the machinery, measures nothing
//   --only decisions,trips              some sections only: the report goes to stdout
//   --out <dir>                         BENCHMARKS.md, results.svg and bench.json go to <dir>
import { parseArgs } from 'node:util'

const plans = {
  full: {
    rounds: 5,
    decisionMs: 1_000,
    decisionWarmupMs: 200,
    httpSeconds: 3,
    httpWarmupSeconds: 1,
    tripDecisions: 6_400,
    addressMs: 200,
    collectGarbage: true,
  },
  quick: {
    rounds: 2,
    decisionMs: 150,
    decisionWarmupMs: 50,
    httpSeconds: 1,
    httpWarmupSeconds: 1,
    tripDecisions: 6_400,
    addressMs: 50,
    collectGarbage: true,
  },
  smoke: {
    rounds: 1,
    decisionMs: 10,
    decisionWarmupMs: 5,
    httpSeconds: 1,
    httpWarmupSeconds: 0,
    tripDecisions: 640,
    addressMs: 5,
    collectGarbage: false,
  },
}

/**
 * Every section, in the order they run. Client addresses go first, while the process has compiled
 * nothing for the Redis runs: their nanoseconds are what an app's process spends.
 */
export const SECTIONS = ['addresses', 'decisions', 'cores', 'http', 'bytes', 'trips', 'exactness']

/** Decisions in flight in the Redis runs; the memory store decides one after another. */
const REDIS_CONCURRENCIES = [1, 64, 512]
const MEMORY_CONCURRENCIES = [1]

/** The plan for `argv`. */
export function planFrom(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string' },
    },
  })
  const mode = values.smoke ? 'smoke' : values.quick ? 'quick' : 'full'
  const sections = values.only ? values.only.split(',') : SECTIONS
  const unknown = sections.filter((section) => !SECTIONS.includes(section))
  if (unknown.length > 0)
    throw new Error(`unknown section ${unknown.join(', ')}; expected some of ${SECTIONS.join(', ')}`)
  return {
    mode,
    ...plans[mode],
    sections,
    complete: sections.length === SECTIONS.length,
    redisConcurrencies: REDIS_CONCURRENCIES,
    memoryConcurrencies: MEMORY_CONCURRENCIES,
    outDir: values.out,
    command: ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' '),
  }
}
