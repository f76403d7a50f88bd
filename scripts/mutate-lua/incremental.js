// `--incremental`: a mutant whose file text and judging tests are unchanged since the run that
// judged it keeps that verdict. The tests' fingerprint covers the Lua-facing test files and the
// test helpers and setup, not src/: after a change to how src/ calls the scripts, run it in full.
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export class IncrementalResults {
  #path
  #testsFingerprint
  /** Verdicts by mutant fingerprint. */
  #verdicts

  /** `reuse`: read the verdicts of the last run (false: start afresh, and still save this run's). */
  constructor(path, testFiles, reuse) {
    this.#path = path
    const helpers = ['test/helpers', 'test/setup'].flatMap((dir) => readdirSync(dir).map((name) => join(dir, name)))
    this.#testsFingerprint = sha1([...testFiles, ...helpers].map((file) => readFileSync(file, 'utf8')).join('\0'))
    this.#verdicts = reuse && existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {}
  }

  /** The verdict a previous run gave this mutant, if nothing it depends on changed since. */
  statusOf(mutant) {
    return this.#verdicts[this.#fingerprint(mutant)]
  }

  record(mutant, verdict) {
    this.#verdicts[this.#fingerprint(mutant)] = { file: mutant.file, ...verdict }
  }

  /** Saves this run's verdicts, and the last run's for files this run left alone. */
  save(files, mutants) {
    const untouched = Object.entries(this.#verdicts).filter(([, verdict]) => !files.includes(verdict.file))
    const judged = mutants.map((mutant) => [this.#fingerprint(mutant), this.statusOf(mutant)])
    writeFileSync(this.#path, `${JSON.stringify(Object.fromEntries([...untouched, ...judged]), null, 1)}\n`)
  }

  #fingerprint(mutant) {
    return sha1(`${this.#testsFingerprint}\0${mutant.mutated}`)
  }
}

function sha1(text) {
  return createHash('sha1').update(text).digest('hex')
}
