// `--incremental`: a mutant keeps the verdict of the run that judged it while the tests behind that
// verdict are unchanged, as in Stryker's incremental mode: a killed mutant while the test file that
// killed it is, a survivor (or a timeout) while every judging test file is; the test helpers and
// setup count for both. So a change to one test file re-judges the survivors and the mutants that
// file killed, not the whole run. Neither covers src/: after a change to how src/ calls the
// scripts, run it in full.
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export class IncrementalResults {
  #path
  #helpers
  #allTests
  /** The last run's verdicts: kept for the files this run leaves alone, reused only when asked. */
  #previous
  /** Verdicts by the mutated source's fingerprint, each with the fingerprint of the tests behind it. */
  #verdicts

  /** `reuse`: judge again only what changed since the last run (false: judge afresh, keeping the last run's other files). */
  constructor(path, testFiles, reuse) {
    this.#path = path
    const helpers = ['test/helpers', 'test/setup'].flatMap((dir) => readdirSync(dir).map((name) => join(dir, name)))
    this.#helpers = sha1(helpers.map((file) => readFileSync(file, 'utf8')).join('\0'))
    this.#allTests = this.#testsFingerprint(testFiles)
    this.#previous = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {}
    this.#verdicts = reuse ? { ...this.#previous } : {}
  }

  /** The verdict a previous run gave this mutant, if the tests behind it are unchanged since. */
  statusOf(mutant) {
    const verdict = this.#verdicts[sha1(mutant.mutated)]
    return verdict && verdict.tests === this.#testsBehind(verdict) ? verdict : undefined
  }

  record(mutant, verdict) {
    this.#verdicts[sha1(mutant.mutated)] = { file: mutant.file, ...verdict, tests: this.#testsBehind(verdict) }
  }

  /** Saves this run's verdicts, and the last run's for files this run left alone. */
  save(files, mutants) {
    const untouched = Object.entries(this.#previous).filter(([, verdict]) => !files.includes(verdict.file))
    const judged = mutants.map((mutant) => [sha1(mutant.mutated), this.#verdicts[sha1(mutant.mutated)]])
    writeFileSync(this.#path, `${JSON.stringify(Object.fromEntries([...untouched, ...judged]), null, 1)}\n`)
  }

  #testsBehind({ killedBy }) {
    if (!killedBy) return this.#allTests
    return existsSync(killedBy) ? this.#testsFingerprint([killedBy]) : undefined
  }

  #testsFingerprint(testFiles) {
    return sha1([this.#helpers, ...testFiles.map((file) => readFileSync(file, 'utf8'))].join('\0'))
  }
}

function sha1(text) {
  return createHash('sha1').update(text).digest('hex')
}
