// Runs the Lua-facing tests against one mutant and says what became of it, as Stryker names it:
// Killed (a test failed), Survived, Timeout (no verdict in time) or CompileError (Redis would not
// load the script, so no test could run it).
import { resolve } from 'node:path'
import { Redis } from 'ioredis'

/** The tests' Redis servers, as the mutation run needs them: to compile scripts and to clean up between mutants. */
export class TestServers {
  #clients

  constructor({ standalonePort, clusterPorts }) {
    this.#clients = [standalonePort, ...clusterPorts].map((port) => new Redis({ port, host: '127.0.0.1' }))
  }

  /** Redis's complaint about the script's syntax, or undefined when it compiles. */
  async compileError(source) {
    const [standalone] = this.#clients
    try {
      const sha = await standalone.script('LOAD', source)
      await standalone.script('FLUSH')
      return sha ? undefined : 'no SHA1'
    } catch (error) {
      return String(error.message)
    }
  }

  /**
   * Clean slate for the next mutant: a runaway script stopped, no keys (a mutant may leave keys
   * without a TTL, which the next run's checks would blame on it), no cached scripts.
   */
  async reset() {
    for (const client of this.#clients) {
      await client.script('KILL').catch(() => undefined)
      await client.flushall()
      await client.script('FLUSH')
    }
  }

  close() {
    for (const client of this.#clients) client.disconnect()
  }
}

/**
 * The verdict on `mutant`: the test file that killed the last mutant of its script first, alone
 * (neighbouring mutants mostly fall to the same tests, and one file starts in a fraction of the
 * time of a round), then each round of test files in turn (each `{ specifications, timeoutMs }`)
 * until one kills it or runs out of time.
 */
export async function judge({ vitest, rounds, sources, servers, lastKillers }, mutant) {
  const path = resolve(mutant.file)
  sources.mutate(mutant.file, mutant.mutated)
  try {
    const compileError = await servers.compileError(mutant.mutated)
    if (compileError) return { status: 'CompileError', reason: compileError }
    vitest.invalidateFile(path)
    const likelyKiller = roundOf(rounds, lastKillers.get(mutant.file))
    let verdict
    for (const { specifications, timeoutMs } of likelyKiller ? [likelyKiller, ...rounds] : rounds) {
      verdict = await verdictWithin(vitest, vitest.runTestSpecifications(specifications), timeoutMs)
      if (verdict.status !== 'Survived') break
    }
    if (verdict.killedBy) lastKillers.set(mutant.file, verdict.killedBy)
    return verdict
  } finally {
    sources.restore(mutant.file)
    vitest.invalidateFile(path)
    await servers.reset()
  }
}

/** A round of one test file, `file`, with the timeout of the round it belongs to. */
function roundOf(rounds, file) {
  if (!file) return undefined
  const moduleId = resolve(file)
  for (const { specifications, timeoutMs } of rounds) {
    const specification = specifications.find((candidate) => candidate.moduleId === moduleId)
    if (specification) return { specifications: [specification], timeoutMs }
  }
  return undefined
}

async function verdictWithin(vitest, run, timeoutMs) {
  let timer
  const late = new Promise((done) => {
    timer = setTimeout(() => done('late'), timeoutMs)
  })
  const result = await Promise.race([run, late])
  clearTimeout(timer)
  if (result === 'late') {
    await vitest.cancelCurrentRun('keyboard-input')
    await run.catch(() => undefined)
    return { status: 'Timeout', reason: `no verdict within ${timeoutMs} ms` }
  }
  return verdictOf(result)
}

/** Killed by the first failing test (or file, or unhandled error); Survived when everything passed. */
export function verdictOf({ testModules, unhandledErrors }) {
  for (const module of testModules) {
    if (module.ok()) continue
    const failed = [...module.children.allTests('failed')][0]
    const where = module.moduleId.replace(`${process.cwd()}/`, '')
    const error = failed?.result().errors?.[0] ?? module.errors()[0]
    const reason = `${where}: ${failed?.fullName ?? 'the file'}: ${firstLine(error?.message)}`
    return { status: 'Killed', killedBy: where, reason }
  }
  if (unhandledErrors.length > 0)
    return { status: 'Killed', reason: `unhandled: ${firstLine(unhandledErrors[0]?.message)}` }
  return { status: 'Survived' }
}

function firstLine(text) {
  return String(text ?? '')
    .split('\n')[0]
    .slice(0, 200)
}
