// `npm run mutate:score`: the scores TESTING.md records, as Markdown, from the reports kept in
// reports/mutation/ (stryker-*.json, one per Stryker run or part of one, see mutation-keep.js, and
// the Lua run's lua.json): per folder, per Lua file, and the mutants left alive on purpose with the
// reason each gives. A file's verdicts count only while its source is the one they were measured
// on; files measured on an older source, and files never measured, are named apart.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'

const REPORT_DIR = 'reports/mutation'
const MUTATED = ['src/', 'adapters/', 'compat/', 'lua/']

/**
 * Static mutants (in code run once, at import) are not run fairly, so neither counts nor is called
 * equivalent: those `ignoreStatic` leaves out (stryker.config.mjs says why), and the survivors of
 * those outside every function that some test also reached by importing the module afresh.
 * Stryker runs such a "hybrid" mutant only against those few tests, and switches it on after the
 * import that would have read it. (A hybrid mutant inside a function, which a test also calls,
 * is judged as any other.)
 */
const isStatic = (mutant) =>
  (mutant.status === 'Ignored' && /static/i.test(mutant.statusReason ?? '')) ||
  (mutant.static === true && mutant.atModuleLevel === true && ['Survived', 'NoCoverage'].includes(mutant.status))
const isEquivalent = (mutant) => mutant.status === 'Ignored' && !isStatic(mutant)

/** A function, or an instance field (set by each construction). */
const runsPerCall = (node) =>
  ts.isFunctionLike(node) ||
  (ts.isPropertyDeclaration(node) && !node.modifiers?.some(({ kind }) => kind === ts.SyntaxKind.StaticKeyword))

/** Whether the mutant lies outside every function (and method) of its TypeScript source: run only at import. */
function markModuleLevel(path, file) {
  if (!path.endsWith('.ts')) return
  const source = ts.createSourceFile(path, file.source, ts.ScriptTarget.Latest, true)
  const offsetOf = ({ line, column }) => source.getPositionOfLineAndCharacter(line - 1, column - 1)
  const insideFunction = (position) => {
    let node = source
    let inside = false
    for (;;) {
      const child = node.getChildren(source).find((each) => each.getStart(source) <= position && position < each.end)
      if (!child) return inside
      if (runsPerCall(child)) inside = true
      node = child
    }
  }
  for (const mutant of file.mutants)
    if (mutant.static) mutant.atModuleLevel = !insideFunction(offsetOf(mutant.location.start))
}

/** Detected (killed or timed out) over detected and undetected (survived or never reached). */
function scoreOf(mutants) {
  const count = (...statuses) =>
    mutants.filter((mutant) => statuses.includes(mutant.status) && !isStatic(mutant)).length
  const detected = count('Killed', 'Timeout')
  const undetected = count('Survived', 'NoCoverage')
  const percent = detected + undetected === 0 ? 100 : (100 * detected) / (detected + undetected)
  const equivalent = mutants.filter(isEquivalent).length
  return { percent, detected, undetected, equivalent, notRun: mutants.filter(isStatic).length }
}

function row(name, mutants) {
  const { percent, detected, undetected, equivalent, notRun } = scoreOf(mutants)
  const invalid = mutants.filter((mutant) => ['CompileError', 'RuntimeError'].includes(mutant.status)).length
  return `| ${name} | ${percent.toFixed(1)}% | ${detected} | ${undetected} | ${equivalent} | ${invalid} | ${notRun} |`
}

const DISABLE_COMMENT = /^\s*\/\/ Stryker disable next-line ([\w,]+): (.*)$/

/**
 * The verdicts of a report whose source differs from the file as it is now only by lines
 * `// Stryker disable next-line <mutators>: <reason>`, carried over: each mutant moves to its
 * line's new number, and one that a comment now disables is left out as equivalent, with the
 * comment's reason, as Stryker itself would leave it. Undefined when anything else changed, or when
 * a comment that disabled a mutant is gone (that mutant has to be run).
 */
function carriedOver(file, now) {
  const codeLines = (text) =>
    text
      .split('\n')
      .map((line, index) => ({ line, number: index + 1 }))
      .filter(({ line }) => !DISABLE_COMMENT.test(line))
  const [before, after] = [codeLines(file.source), codeLines(now)]
  if (before.length !== after.length || before.some(({ line }, index) => line !== after[index].line)) return undefined
  const numberNow = new Map(before.map(({ number }, index) => [number, after[index].number]))
  const disabling = (lines, line, mutatorName) => {
    const comment = DISABLE_COMMENT.exec(lines[line - 2] ?? '')
    return comment?.[1].split(',').includes(mutatorName) ? comment[2] : undefined
  }
  const [linesBefore, linesNow] = [file.source.split('\n'), now.split('\n')]
  const mutants = []
  for (const mutant of file.mutants) {
    const { start, end } = mutant.location
    const moved = {
      ...mutant,
      location: {
        start: { ...start, line: numberNow.get(start.line) },
        end: { ...end, line: numberNow.get(end.line) },
      },
    }
    const reason = disabling(linesNow, moved.location.start.line, mutant.mutatorName)
    if (reason !== undefined) mutants.push({ ...moved, status: 'Ignored', statusReason: reason })
    else if (disabling(linesBefore, start.line, mutant.mutatorName) !== undefined) return undefined
    else mutants.push(moved)
  }
  return { ...file, source: now, mutants }
}

/**
 * Every file's verdicts from the reports, where the report's source is the file as it is now, or
 * differs from it only by comments that disable mutants (see carriedOver).
 */
function currentResults() {
  const reports = existsSync(REPORT_DIR)
    ? readdirSync(REPORT_DIR).filter((name) => /^stryker-.*\.json$/.test(name) || name === 'lua.json')
    : []
  const current = {}
  const stale = new Set()
  // Oldest first, so that where two runs measured a file as it is now, the later one counts.
  const read = reports
    .map((name) => JSON.parse(readFileSync(join(REPORT_DIR, name), 'utf8')))
    .sort((a, b) => (a.keptAt ?? '').localeCompare(b.keptAt ?? ''))
  const carried = new Set()
  for (const report of read) {
    for (const [path, kept] of Object.entries(report.files)) {
      const now = existsSync(path) ? readFileSync(path, 'utf8') : undefined
      const file = now === kept.source ? kept : now === undefined ? undefined : carriedOver(kept, now)
      if (file) {
        markModuleLevel(path, file)
        current[path] = file
        if (file !== kept) carried.add(path)
        else carried.delete(path)
      } else stale.add(path)
    }
  }
  return { current, carried: [...carried], stale: [...stale].filter((path) => !current[path]) }
}

/** Statements that declare types or pass on another module's exports: nothing in them runs. */
const typeOnly = (statement) =>
  ts.isInterfaceDeclaration(statement) ||
  ts.isTypeAliasDeclaration(statement) ||
  ts.isImportDeclaration(statement) ||
  (ts.isExportDeclaration(statement) && statement.moduleSpecifier !== undefined)

/** Whether a TypeScript file holds code to mutate: not only types and re-exports (Stryker reports no such file). */
function holdsCode(path) {
  if (!path.endsWith('.ts')) return true
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest)
  return !source.statements.every(typeOnly)
}

/** The files mutation runs mutate, as Stryker's and the Lua run's patterns name them, with code to mutate. */
function mutatedFiles() {
  return MUTATED.flatMap((folder) =>
    readdirSync(folder, { recursive: true })
      .map((name) => `${folder}${name}`)
      .filter((path) => /\.(ts|lua)$/.test(path) && !path.endsWith('.d.ts') && holdsCode(path)),
  )
}

const { current, carried, stale } = currentResults()
const mutantsUnder = (prefix) =>
  Object.entries(current)
    .filter(([path]) => path.startsWith(prefix))
    .flatMap(([, file]) => file.mutants)

console.log('| Scope | Score | Killed | Survived | Equivalent | Invalid | Static, not run |')
console.log('| --- | --- | --- | --- | --- | --- | --- |')
// src/ and adapters/ together, the score TESTING.md keeps; compat/, once measured, has a row of its own.
const coreMutants = ['src/', 'adapters/'].flatMap(mutantsUnder)
if (coreMutants.length > 0) console.log(row('src/ + adapters/', coreMutants))
for (const folder of MUTATED) if (mutantsUnder(folder).length > 0) console.log(row(folder, mutantsUnder(folder)))
for (const path of Object.keys(current)
  .filter((name) => name.startsWith('lua/'))
  .sort())
  console.log(row(`\`${path}\``, current[path].mutants))

const unmeasured = mutatedFiles().filter((path) => !current[path] && !stale.includes(path))
if (carried.length > 0)
  console.log(
    `\nMeasured before comments that disable mutants were added (verdicts carried over): ${carried.sort().join(', ')}`,
  )
if (stale.length > 0) console.log(`\nMeasured on an older source (run again): ${stale.sort().join(', ')}`)
if (unmeasured.length > 0) console.log(`\nNot measured yet: ${unmeasured.sort().join(', ')}`)

console.log('\nLeft alive on purpose (equivalent mutants):\n')
for (const [path, file] of Object.entries(current)) {
  const lines = file.source.split('\n')
  for (const mutant of file.mutants.filter(isEquivalent)) {
    const { line } = mutant.location.start
    const code = lines[line - 1]?.trim()
    console.log(
      `- \`${path}:${line}\` ${mutant.mutatorName} \`${code}\` → \`${mutant.replacement}\`: ${mutant.statusReason}`,
    )
  }
}
