// Client address parsing: what the default key costs per request for the addresses sockets and
// proxies give, and for a 16 KB malformed one, as `ipKey` and as the fetch guard's whole decision
// (X-Forwarded-For read, key, a memory-store decision). Interleaved rounds, as elsewhere.
import { ipKey } from 'atomic-ratelimit'
import { rateLimit } from 'atomic-ratelimit/fetch'
import { interleave } from './rounds.js'
import { LIMIT } from './settings.js'

/** One X-Forwarded-For entry of 16 KB that is not an address: `1:1:1:…`, as a header may carry it. */
const MALFORMED = `1${':1'.repeat(8_191)}`

/** Calls between two looks at the clock. */
const BATCH = 64

/** The last call's result: kept where the optimiser cannot prove it unused. */
export let kept

/** What the section measures: `ipKey` alone, then the fetch guard's whole decision. */
function contenders() {
  const guard = rateLimit({ limit: LIMIT, trustProxy: 1 })
  const request = (forwardedFor) => new Request('http://bench.test/', { headers: { 'X-Forwarded-For': forwardedFor } })
  const normal = request('203.0.113.7')
  const malformed = request(MALFORMED)
  return [
    { id: 'ipKey: IPv4 `203.0.113.7`', run: () => ipKey('203.0.113.7') },
    { id: 'ipKey: IPv4-mapped `::ffff:203.0.113.7`', run: () => ipKey('::ffff:203.0.113.7') },
    { id: 'ipKey: 16 KB malformed address', run: () => ipKey(MALFORMED) },
    { id: 'fetch guard: X-Forwarded-For `203.0.113.7`', run: () => guard(normal, { ip: '10.0.0.1' }) },
    { id: 'fetch guard: 16 KB malformed X-Forwarded-For', run: () => guard(malformed, { ip: '10.0.0.1' }) },
  ]
}

/**
 * Runs `run` in batches for `durationMs`; resolves to the nanoseconds per call. A call that
 * returns a promise is awaited before the next; a plain call is not, so it pays no microtask.
 */
async function nsPerCall(run, durationMs) {
  let calls = 0
  const startedNs = process.hrtime.bigint()
  const endNs = startedNs + BigInt(Math.round(durationMs * 1e6))
  let nowNs = startedNs
  const asynchronous = run() instanceof Promise
  while (nowNs < endNs) {
    if (asynchronous) for (let call = 0; call < BATCH; call++) kept = await run()
    else for (let call = 0; call < BATCH; call++) kept = run()
    calls += BATCH
    nowNs = process.hrtime.bigint()
  }
  return Number(nowNs - startedNs) / calls
}

/**
 * Measures every input in interleaved rounds (a warm-up of the same length first); resolves to
 * one row per input with its samples `{ nsPerCall }`.
 */
export async function measureAddresses({ plan, log }) {
  const measured = contenders()
  const cells = [{ title: 'client addresses', contenders: measured }]
  const [cell] = await interleave({
    rounds: plan.rounds,
    cells,
    log,
    measure: async (_cell, { id, run }) => {
      await nsPerCall(run, plan.addressMs)
      const sample = { nsPerCall: await nsPerCall(run, plan.addressMs) }
      log(`  ${id}: ${Math.round(sample.nsPerCall).toLocaleString('en-US')} ns`)
      return sample
    },
  })
  return cell.rows
}
