// The Lua run's report, shaped as Stryker's: each survivor as a diff, a score table per file, and
// a JSON report in the mutation-testing-report schema that Stryker's own report uses.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'

/** Killed and timed-out mutants over those that ran to a verdict (compile errors and equivalents left out). */
export function scoreOf(results) {
  const count = (status) => results.filter((result) => result.status === status).length
  const detected = count('Killed') + count('Timeout')
  const survived = count('Survived')
  const score = detected + survived === 0 ? 100 : (100 * detected) / (detected + survived)
  return {
    score,
    killed: count('Killed'),
    timeout: count('Timeout'),
    survived,
    ignored: count('Ignored'),
    compileErrors: count('CompileError'),
  }
}

/** Prints the survivors and the score per file, as Stryker's clear-text reporter does. */
export function printReport(results, elapsedMs) {
  results
    .filter((result) => result.status === 'Survived')
    .forEach((mutant, index) => {
      const { file, location, mutator, line, mutatedLine } = mutant
      console.log(`\n${index + 1}. [Survived] ${mutator}\n${file}:${location.line}:${location.column}`)
      console.log(`-   ${line.trim()}\n+   ${mutatedLine.trim()}`)
    })
  const files = [...new Set(results.map((result) => result.file))]
  const rows = [['All files', scoreOf(results)], ...files.map((file) => [file, scoreOf(inFile(results, file))])]
  const header = ['File', '% score', '# killed', '# timeout', '# survived', '# equivalent', '# compile errors']
  console.log(`\n${header.join(' | ')}`)
  for (const [name, s] of rows) {
    const cells = [s.score.toFixed(2), s.killed, s.timeout, s.survived, s.ignored, s.compileErrors]
    console.log(`${name.padEnd(22)} | ${cells.map((cell) => String(cell).padStart(6)).join(' | ')}`)
  }
  console.log(`\nLua mutation run: ${results.length} mutants in ${Math.round(elapsedMs / 1000)} s`)
}

/**
 * Writes the results in the mutation-testing-report schema (version 2), one entry per file, over
 * those of the same files in the report at `path`; the report's other files are kept (a run of one
 * script leaves the others' verdicts; `npm run mutate:score` tells which match today's sources).
 */
export function writeReport(path, results) {
  const files = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')).files : {}
  for (const file of new Set(results.map((result) => result.file))) {
    const mutants = inFile(results, file).map((mutant, index) => ({
      id: String(index),
      mutatorName: mutant.mutator,
      replacement: mutant.replacement,
      location: {
        start: { line: mutant.location.line, column: mutant.location.column },
        end: { line: mutant.location.line, column: mutant.location.endColumn },
      },
      status: mutant.status,
      ...(mutant.reason ? { statusReason: mutant.reason } : {}),
    }))
    files[file] = { language: 'lua', source: readFileSync(file, 'utf8'), mutants }
  }
  const report = { schemaVersion: '2', thresholds: { high: 90, low: 80 }, files }
  writeFileSync(path, `${JSON.stringify(report, null, 1)}\n`)
}

function inFile(results, file) {
  return results.filter((result) => result.file === file)
}
