// The floors of a coalesced call for `npm run bench:floors`: Redis CPU per decision when requests
// share a script call, 32 to a call as coalescing sends them, of scripts that make only the calls a
// layout needs (bench/floors/batch-*.lua), beside the bare script (one decision a call) and ours
// coalesced. Two figures: the time inside the script (INFO commandstats), and the whole server's
// (INFO cpu: reading, parsing and answering each call too). Were Redis the bottleneck, a contender
// would make (bare script's server µs ÷ its own) × the bare script's decisions per second.
import { readFileSync } from 'node:fs'
import { ceiling } from './contenders/bare-script.js'
import { oursOnRedis } from './contenders/ours.js'
import { drive } from './drive.js'
import { keyModes } from './keys.js'
import { floorRounds, summarize } from './stats.js'

/** Requests per coalesced call, as the library sends at most. */
const BATCH = 32

/** Calls in flight for a probe; 16 calls of 32 are the 512 requests in flight of the main run. */
const CALLS_IN_FLIGHT = 16

/** Decisions in flight for the bare script and ours, as the main run's largest column. */
const IN_FLIGHT = 512

/** A bench/floors/batch-*.lua script as a contender: calls of BATCH random clients' keys. */
function batchProbe(id, file) {
  const source = readFileSync(new URL(`floors/${file}`, import.meta.url), 'utf8')
  return {
    id,
    open: async ({ client, prefix }) => {
      const sha1 = await client.script('LOAD', source)
      return () => {
        const keys = Array.from({ length: BATCH }, () => `${prefix}:{${keyModes.random()}}`)
        return client.evalsha(sha1, BATCH, ...keys)
      }
    },
    run: async (call, durationMs) => {
      let calls = 0
      const endMs = performance.now() + durationMs
      const loop = async () => {
        while (performance.now() < endMs) {
          await call()
          calls++
        }
      }
      await Promise.all(Array.from({ length: CALLS_IN_FLIGHT }, loop))
      return calls * BATCH
    },
  }
}

/** A contender of the main run, driven at IN_FLIGHT decisions in flight; resolves to the decisions made. */
function driven(contender) {
  return {
    id: contender.id,
    open: contender.open,
    run: async (decide, durationMs) => {
      const run = await drive({ decide, nextKey: keyModes.random, concurrency: IN_FLIGHT, durationMs })
      if (run.errors > 0 || run.degraded > 0)
        throw new Error(`${contender.id}: ${run.errors} errors, ${run.degraded} degraded decisions (${run.firstError})`)
      return run.settled
    },
  }
}

const ours = (id) => driven(oursOnRedis().find((contender) => contender.id === id))

const contenders = [
  driven(ceiling),
  batchProbe('what one policy needs, 32 a call: TIME once, GET and SET PX each', 'batch-one-policy.lua'),
  ours('ours fixed-window coalesced'),
  batchProbe('three policies as three strings, 32 a call', 'batch-three-strings.lua'),
  batchProbe('three policies as one hash, 32 a call', 'batch-three-in-a-hash.lua'),
  ours('ours three policies coalesced'),
]

/**
 * Redis µs per decision, inside the script and for the whole server, random keys, in interleaved
 * rounds; resolves to one row per contender with the median and range of each.
 */
export async function measureCoalescedCpu({ client, rounds, runMs }) {
  const samples = await floorRounds({
    client,
    contenders,
    rounds,
    measure: async (contender, call) => {
      await contender.run(call, 10) // not counted: a first call may find its script missing and load it
      await client.config('RESETSTAT')
      const cpuBeforeUs = await serverCpuUs(client)
      const decisions = await contender.run(call, runMs)
      const serverUs = (await serverCpuUs(client)) - cpuBeforeUs
      const [, scriptUs] = /cmdstat_evalsha:calls=\d+,usec=(\d+)/.exec(await client.info('commandstats'))
      return { script: Number(scriptUs) / decisions, server: serverUs / decisions }
    },
  })
  return contenders.map((contender) => {
    const runs = samples.get(contender)
    return {
      id: contender.id,
      scriptUs: summarize(runs.map(({ script }) => script)),
      serverUs: summarize(runs.map(({ server }) => server)),
    }
  })
}

/** The CPU time redis-server has used, user and system, in µs (INFO cpu). */
async function serverCpuUs(client) {
  const info = await client.info('cpu')
  const seconds = (name) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)[1])
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6
}
