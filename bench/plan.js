// How long and how often the benchmark measures, from the command line:
//   node bench/main.js            full run (the figures in BENCHMARKS.md)
//   node bench/main.js --quick    the same sections, shorter and fewer rounds (under 2 minutes)
//   node bench/main.js --smoke    a few ms per run: checks the machinery, measures nothing
import { parseArgs } from 'node:util'

const plans = {
  full: { rounds: 5, decisionMs: 1_000, decisionWarmupMs: 200, httpSeconds: 3, httpWarmupSeconds: 1 },
  quick: { rounds: 2, decisionMs: 200, decisionWarmupMs: 50, httpSeconds: 1, httpWarmupSeconds: 0.5 },
  smoke: { rounds: 1, decisionMs: 20, decisionWarmupMs: 5, httpSeconds: 0.2, httpWarmupSeconds: 0.1 },
}

/** Decisions in flight in the Redis runs; the memory store decides one after another. */
const REDIS_CONCURRENCIES = [1, 64, 512]
const MEMORY_CONCURRENCIES = [1]

/** The plan for `argv`; `--out <dir>` moves BENCHMARKS.md and the chart (default: the repository). */
export function planFrom(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      out: { type: 'string' },
    },
  })
  const mode = values.smoke ? 'smoke' : values.quick ? 'quick' : 'full'
  return {
    mode,
    ...plans[mode],
    redisConcurrencies: REDIS_CONCURRENCIES,
    memoryConcurrencies: MEMORY_CONCURRENCIES,
    outDir: values.out,
    command: `npm run bench${mode === 'full' ? '' : ` -- --${mode}`}`,
  }
}
