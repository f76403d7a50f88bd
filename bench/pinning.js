// Pinning processes to CPUs with `taskset`, so that a load generator and what it loads do not
// take each other's cores (used by the own-core and HTTP sections).
import { execFileSync } from 'node:child_process'

/** The CPUs a process may run on, from `taskset -c -p` ("pid 42's current affinity list: 0-3,6"). */
function cpusOf(pid) {
  const answer = execFileSync('taskset', ['-c', '-p', String(pid)], { encoding: 'utf8' })
  const list = answer.slice(answer.lastIndexOf(':') + 1).trim()
  return list.split(',').flatMap((range) => {
    const [first, last = first] = range.split('-').map(Number)
    return Array.from({ length: last - first + 1 }, (_, offset) => first + offset)
  })
}

/** Pins every thread of `pid` to `cpus` (a list such as `0,2`). */
function pin(pid, cpus) {
  execFileSync('taskset', ['-a', '-c', '-p', cpus, String(pid)], { stdio: 'ignore' })
}

/**
 * This process's CPUs split in two: the last for what is measured, the others for the side that
 * measures it. Undefined when there is nothing to split (one CPU, or no `taskset`), with the reason.
 */
function splitCpus() {
  let cpus
  try {
    cpus = cpusOf(process.pid)
  } catch (error) {
    return { skipped: `taskset failed (${error.message.split('\n')[0]})` }
  }
  if (cpus.length < 2) return { skipped: `this process may use one CPU only (${cpus.join(',')})` }
  return { all: cpus.join(','), measured: String(cpus.at(-1)), measuring: cpus.slice(0, -1).join(',') }
}

/**
 * Pins the measured processes (`pids`, redis-server first) to one CPU and this process to the
 * others. Resolves to `{ serverCpu, clientCpus, restore }`, where `restore` gives this process and
 * redis-server back the CPUs they had, or to `{ skipped, restore }` with why nothing was pinned.
 */
export function pinApart(pids) {
  const split = splitCpus()
  if (split.skipped) return { ...split, restore() {} }
  const [redisPid] = pids
  let redisCpus
  try {
    redisCpus = cpusOf(redisPid).join(',')
  } catch (error) {
    return { skipped: `taskset failed (${error.message.split('\n')[0]})`, restore() {} }
  }
  for (const pid of pids) pin(pid, split.measured)
  pin(process.pid, split.measuring)
  return {
    serverCpu: split.measured,
    clientCpus: split.measuring,
    restore() {
      pin(process.pid, split.all)
      pin(redisPid, redisCpus)
    },
  }
}
