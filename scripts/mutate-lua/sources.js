// Puts every Lua file back as it was, whatever happens to a mutation run: a copy of each file under
// mutation is kept on disk until the file is done, restored after each mutant, on Ctrl-C or
// SIGTERM, at exit, and at the next start if the process was killed outright.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'

export class LuaSources {
  /** Original text of each file under mutation, by path. */
  #held = new Map()
  #copies

  /** `copies`: the directory that keeps the originals while their files are mutated. */
  constructor(copies) {
    this.#copies = copies
    mkdirSync(copies, { recursive: true })
    const restoreAndExit = (signal) => {
      this.restoreAll()
      process.exit(signal === 'SIGINT' ? 130 : 143)
    }
    process.once('SIGINT', restoreAndExit)
    process.once('SIGTERM', restoreAndExit)
    process.once('exit', () => this.restoreAll())
  }

  /** Puts back any file a killed run left mutated, from its copy. */
  restoreLeftovers() {
    for (const name of readdirSync(this.#copies)) {
      const copy = join(this.#copies, name)
      writeFileSync(join('lua', name), readFileSync(copy, 'utf8'))
      rmSync(copy)
      console.log(`restored lua/${name}, left mutated by an interrupted run`)
    }
  }

  /** Keeps `original` (on disk too) before `file` is mutated. */
  hold(file, original) {
    writeFileSync(join(this.#copies, basename(file)), original)
    this.#held.set(file, original)
  }

  /** Writes a mutant of a held file. */
  mutate(file, text) {
    writeFileSync(file, text)
  }

  /** Puts a held file back. */
  restore(file) {
    const original = this.#held.get(file)
    if (original !== undefined && readFileSync(file, 'utf8') !== original) writeFileSync(file, original)
  }

  /** Puts a held file back and lets go of its copy. */
  release(file) {
    this.restore(file)
    this.#held.delete(file)
    rmSync(join(this.#copies, basename(file)), { force: true })
  }

  /** Puts every held file back (synchronous: safe in exit handlers). */
  restoreAll() {
    for (const file of [...this.#held.keys()]) this.release(file)
    if (existsSync(this.#copies) && readdirSync(this.#copies).length === 0) rmSync(this.#copies, { recursive: true })
  }
}
