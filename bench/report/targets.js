// The targets of issue 23 (performance, round two), each judged on this run's own figures: PASS, FAIL, or NOT MEASURED when
// the run lacks the figure (its section left out with --only).
import { keysLabel } from '../keys.js'
import { pairedRatio } from './figures.js'
import { ratio } from './format.js'

const COALESCED = 'ours fixed-window coalesced'
const AUTOPIPELINED = 'ours fixed-window coalesced, autopipelining'
const THREE_COALESCED = 'ours three policies coalesced'
const THREE = 'ours three policies'
const KEY_MODES = ['hot', 'random']
const BUSY = [64, 512]
const NOT_IN_RUN = 'not in this run'

/** Every pair of a concurrency in `concurrencies` and a key mode. */
const settings = (concurrencies) =>
  concurrencies.flatMap((concurrency) => KEY_MODES.map((keys) => ({ concurrency, keys })))

/** Decisions/s of contender `id` on Redis, or undefined. */
const onRedis = (decisions, { concurrency, keys }, id) => decisions.get({ store: 'redis', concurrency, keys }, id)

/** The row of the Redis peer with the most decisions/s (median) in a setting. */
function fastestPeer(decisions, setting) {
  const rows = [...(decisions.cells.find((cell) => cell.store === 'redis')?.rows.values() ?? [])]
  const peers = rows.filter((row) => row.side === 'peer').map((row) => onRedis(decisions, setting, row.id))
  return peers.reduce((best, row) => ((row?.median ?? 0) > (best?.median ?? 0) ? row : best), undefined)
}

/** An HTTP cell's rows of `framework`. */
const httpRows = (http, framework) => [
  ...(http.cells.find((cell) => cell.framework === framework)?.rows.values() ?? []),
]

/** The targets: the section each needs, and its checks `{ value, pass, label }` on the figures. */
const targets = [
  {
    target:
      'Coalesced with autopipelining on: ≥ 0.9 × the same limiter with it off, at 64 and 512 in flight, hot and random keys',
    section: 'decisions',
    checks: ({ decisions }) =>
      settings(BUSY).map((setting) => {
        const value = pairedRatio(
          onRedis(decisions, setting, AUTOPIPELINED),
          onRedis(decisions, setting, COALESCED),
        )?.median
        return { value, pass: value >= 0.9, label: `${setting.concurrency}/${setting.keys}: ${ratio(value)}` }
      }),
  },
  {
    target:
      'One in flight (the default, coalesced): ≥ 0.9 × the bare script and ≥ the fastest peer, hot and random keys',
    section: 'decisions',
    checks: ({ decisions }) =>
      settings([1]).flatMap((setting) => {
        const ours = onRedis(decisions, setting, COALESCED)
        const versusPeer = pairedRatio(ours, fastestPeer(decisions, setting))?.median
        return [
          { value: ours?.ratio, pass: ours?.ratio >= 0.9, label: `${setting.keys}: ${ratio(ours?.ratio)} the script` },
          { value: versusPeer, pass: versusPeer >= 1, label: `${ratio(versusPeer)} the fastest peer` },
        ]
      }),
  },
  {
    target: 'Three policies coalesced: ≥ 1.0 × the bare one-policy script at 512 in flight on random keys',
    section: 'decisions',
    checks: ({ decisions }) => {
      const value = onRedis(decisions, { concurrency: 512, keys: 'random' }, THREE_COALESCED)?.ratio
      return [{ value, pass: value >= 1, label: value === undefined ? NOT_IN_RUN : ratio(value) }]
    },
  },
  {
    target: '… still one round trip per decision',
    section: 'trips',
    checks: ({ trips }) => {
      const row = trips.find((each) => each.id === THREE)
      const value = row && sentTotal(row)
      return [{ value, pass: value <= 1, label: `${value?.toFixed(2)} commands sent per decision` }]
    },
  },
  {
    target: 'Memory store: ≥ express-rate-limit’s memory store, hot and random keys',
    section: 'decisions',
    checks: ({ decisions }) =>
      KEY_MODES.map((keys) => {
        const value = decisions.get({ store: 'memory', concurrency: 1, keys }, 'express-rate-limit')?.ratio
        return { value, pass: value <= 1, label: `${keysLabel(keys)}: express-rate-limit at ${ratio(value)} of ours` }
      }),
  },
  {
    target: 'HTTP Express, memory stores on both sides: ≥ express-rate-limit’s requests per second',
    section: 'http',
    checks: ({ http }) => {
      const ours = http.get({ framework: 'express' }, 'ours, memory store')
      const value = pairedRatio(ours, http.get({ framework: 'express' }, 'express-rate-limit, memory store'))?.median
      return [{ value, pass: value >= 1, label: `${ratio(value)} express-rate-limit’s` }]
    },
  },
  {
    target: 'With coalescing: ≥ 2.0 × the bare script at 512 in flight on random keys',
    section: 'decisions',
    checks: ({ decisions }) => {
      const value = onRedis(decisions, { concurrency: 512, keys: 'random' }, COALESCED)?.ratio
      return [{ value, pass: value >= 2, label: value === undefined ? NOT_IN_RUN : ratio(value) }]
    },
  },
  ...['koa', 'hono'].map((framework) => ({
    target: `HTTP ${framework} with coalescing: ≥ 0.75 × no limiter`,
    section: 'http',
    checks: ({ http }) => {
      const value = http.get({ framework }, 'ours coalesced')?.ratio
      return [{ value, pass: value >= 0.75, label: value === undefined ? NOT_IN_RUN : ratio(value) }]
    },
  })),
  {
    target: 'HTTP with coalescing: ahead of every peer on Redis, in each framework',
    section: 'http',
    checks: ({ http }) =>
      ['express', 'koa', 'hono'].flatMap((framework) => {
        const rows = httpRows(http, framework)
        const ours = rows.find((row) => row.id === 'ours coalesced')?.ratio
        return rows
          .filter((row) => row.side === 'peer')
          .map((peer) => ({
            value: ours,
            pass: ours > peer.ratio,
            label: `${framework}: ${ratio(ours)} vs ${peer.id} ${ratio(peer.ratio)}`,
          }))
      }),
  },
  {
    target: 'HTTP: no limiter measured faster than the app without one (no ratio above 1.0 beyond its spread)',
    section: 'http',
    checks: ({ http }) =>
      ['express', 'koa', 'hono'].map((framework) => {
        const rows = httpRows(http, framework)
        const fastest = rows
          .filter((row) => row.side !== 'reference')
          .reduce((best, row) => (row.ratio > (best?.ratio ?? 0) ? row : best), undefined)
        const value = fastest?.ratio
        // Within the spread: in some round, the row was not faster than the app without a limiter.
        const pass = value <= 1 || fastest.ratioMin <= 1
        return { value, pass, label: `${framework}: highest ${fastest?.id} ${ratio(value)}` }
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
