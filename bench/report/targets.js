// The targets of issue 6, each judged on this run's own figures: PASS, FAIL, or NOT MEASURED when
// the run lacks the figure (its section left out with --only).
import { keysLabel } from '../keys.js'
import { rate, ratio } from './format.js'

const FIXED = 'ours fixed-window'
const THREE = 'ours three policies'
const COALESCED = 'ours fixed-window coalesced'
const KEY_MODES = ['hot', 'random']
const BUSY = [64, 512]
const ALL = [1, 64, 512]
const NOT_IN_RUN = 'not in this run'

/** Every pair of a concurrency in `concurrencies` and a key mode. */
const settings = (concurrencies) =>
  concurrencies.flatMap((concurrency) => KEY_MODES.map((keys) => ({ concurrency, keys })))

/** Decisions/s of contender `id` on Redis, or undefined. */
const onRedis = (decisions, { concurrency, keys }, id) => decisions.get({ store: 'redis', concurrency, keys }, id)

/** The targets: the section each needs, and its checks `{ value, pass, label }` on the figures. */
const targets = [
  {
    target: 'One policy on Redis (fixed window), no coalescing: ≥ 1.0 × the bare script at 64 and 512 in flight',
    section: 'decisions',
    checks: ({ decisions }) =>
      settings(BUSY).map((setting) => {
        const value = onRedis(decisions, setting, FIXED)?.ratio
        return { value, pass: value >= 1, label: `${setting.concurrency}/${setting.keys}: ${ratio(value)}` }
      }),
  },
  {
    target: '… and ahead of every peer (fixed window vs the fastest peer, at 1, 64 and 512 in flight)',
    section: 'decisions',
    checks: ({ decisions }) =>
      settings(ALL).map((setting) => {
        const rows = [...(decisions.cells.find((cell) => cell.store === 'redis')?.rows.values() ?? [])]
        const peers = rows.filter((row) => row.side === 'peer').map((row) => row.id)
        const fastest = Math.max(...peers.map((id) => onRedis(decisions, setting, id)?.median ?? 0))
        const value = onRedis(decisions, setting, FIXED)?.median / fastest
        return {
          value,
          pass: value > 1,
          label: `${setting.concurrency}/${setting.keys}: ${ratio(value)} the fastest peer`,
        }
      }),
  },
  {
    target: 'Three policies: one round trip per decision',
    section: 'trips',
    checks: ({ trips }) => {
      const row = trips.find((each) => each.id === THREE)
      const value = row && sentTotal(row)
      return [{ value, pass: value <= 1, label: `${value?.toFixed(2)} commands sent per decision` }]
    },
  },
  {
    target: 'Three policies: ≥ 0.9 × the one-policy figure at 64 and 512 in flight',
    section: 'decisions',
    checks: ({ decisions }) =>
      settings(BUSY).map((setting) => {
        const three = onRedis(decisions, setting, THREE)?.median
        const value = three && three / onRedis(decisions, setting, FIXED)?.median
        return { value, pass: value >= 0.9, label: `${setting.concurrency}/${setting.keys}: ${ratio(value)}` }
      }),
  },
  {
    target: 'With coalescing: ≥ 2.0 × the bare script at 512 in flight on random keys',
    section: 'decisions',
    checks: ({ decisions }) => {
      const value = onRedis(decisions, { concurrency: 512, keys: 'random' }, COALESCED)?.ratio
      return [{ value, pass: value >= 2, label: value === undefined ? NOT_IN_RUN : ratio(value) }]
    },
  },
  ...['express', 'koa', 'hono'].map((framework) => ({
    target: `HTTP ${framework}: ratio to no limiter ≥ the minimal wrapper's, and ahead of each peer`,
    section: 'http',
    checks: ({ http }) => {
      const rows = [...(http.cells.find((cell) => cell.framework === framework)?.rows.values() ?? [])]
      const ours = rows.find((row) => row.id === 'ours')?.ratio
      const wrapper = rows.find((row) => row.id === 'minimal wrapper')?.ratio
      return [
        { value: ours, pass: ours >= wrapper, label: `ours ${ratio(ours)} vs minimal wrapper ${ratio(wrapper)}` },
        ...rows
          .filter((row) => row.side === 'peer')
          .map((peer) => ({ value: ours, pass: ours > peer.ratio, label: `${peer.id} ${ratio(peer.ratio)}` })),
      ]
    },
  })),
  ...['koa', 'hono'].map((framework) => ({
    target: `HTTP ${framework} with coalescing: ≥ 0.75 × no limiter`,
    section: 'http',
    checks: ({ http }) => {
      const value = http.get({ framework }, 'ours coalesced')?.ratio
      return [{ value, pass: value >= 0.75, label: value === undefined ? NOT_IN_RUN : ratio(value) }]
    },
  })),
  {
    target: 'Memory store, one policy: ≥ 5 million decisions/s on one core',
    section: 'decisions',
    checks: ({ decisions }) =>
      KEY_MODES.map((keys) => {
        const value = decisions.get({ store: 'memory', concurrency: 1, keys }, FIXED)?.median
        return { value, pass: value >= 5e6, label: `${keysLabel(keys)}: ${value === undefined ? '–' : rate(value)}/s` }
      }),
  },
  {
    target: '… and ahead of rate-limiter-flexible’s and express-rate-limit’s memory stores',
    section: 'decisions',
    checks: ({ decisions }) =>
      KEY_MODES.flatMap((keys) => {
        const cell = decisions.cells.find(
          (each) => each.store === 'memory' && each.concurrency === 1 && each.keys === keys,
        )
        const peers = [...(cell?.rows.values() ?? [])].filter((row) => row.side === 'peer')
        return peers.map(({ id, ratio: value }) => ({
          value,
          pass: value < 1,
          label: `${keysLabel(keys)}: ${id} at ${ratio(value)} of ours`,
        }))
      }),
  },
  {
    target: 'Redis bytes per key: ≤ 101 for fixed window and GCRA, ≤ 165 for sliding window and token bucket',
    section: 'bytes',
    checks: ({ bytes }) =>
      Object.entries({ 'fixed-window': 101, gcra: 101, 'sliding-window': 165, 'token-bucket': 165 }).map(
        ([algorithm, budget]) => {
          const value = bytes.find((row) => row.id === `ours ${algorithm}`)?.bytes
          return { value, pass: value <= budget, label: `${algorithm} ${value}` }
        },
      ),
  },
  {
    target: 'Exactness with coalescing on: exactly 100 of 5,000 concurrent decisions allowed (this bench’s check)',
    section: 'exactness',
    checks: ({ exactness }) => {
      const row = exactness.find((each) => each.id === COALESCED)
      const pass = row?.allowed === row?.limit && row?.degraded === 0
      return [{ value: row?.allowed, pass, label: row ? `${row.allowed} allowed` : NOT_IN_RUN }]
    },
  },
]

/** One `{ target, measured, verdict }` per target of the issue. */
export function judgeTargets(figures) {
  return targets.map(({ target, section, checks }) => {
    if (!figures[section])
      return { target, measured: `not run (the ${section} section was left out)`, verdict: 'NOT MEASURED' }
    const results = checks(figures)
    const measured = results.map((check) => check.label).join('; ')
    if (results.length === 0 || results.some((check) => check.value === undefined || Number.isNaN(check.value)))
      return { target, measured, verdict: 'NOT MEASURED' }
    return { target, measured, verdict: results.every((check) => check.pass) ? 'PASS' : 'FAIL' }
  })
}

/** Commands a decision sent the server: its round trips. */
export function sentTotal(row) {
  return Object.values(row.sent).reduce((sum, calls) => sum + calls, 0)
}
