// `npm run mutate:score`: the scores TESTING.md records, as Markdown, from the reports the last
// `npm run mutate` and `npm run mutate:lua` wrote (reports/mutation/mutation.json, lua.json): per
// folder, per Lua file, and the mutants left alive on purpose with the reason each gives.
import { existsSync, readFileSync } from 'node:fs'

const REPORTS = ['reports/mutation/mutation.json', 'reports/mutation/lua.json']

/** Detected (killed or timed out) over detected and undetected (survived or never reached). */
function scoreOf(mutants) {
  const count = (...statuses) => mutants.filter((mutant) => statuses.includes(mutant.status)).length
  const detected = count('Killed', 'Timeout')
  const undetected = count('Survived', 'NoCoverage')
  const percent = detected + undetected === 0 ? 100 : (100 * detected) / (detected + undetected)
  return { percent, detected, undetected, equivalent: count('Ignored'), invalid: count('CompileError', 'RuntimeError') }
}

function row(name, mutants) {
  const { percent, detected, undetected, equivalent, invalid } = scoreOf(mutants)
  return `| ${name} | ${percent.toFixed(1)}% | ${detected} | ${undetected} | ${equivalent} | ${invalid} |`
}

const files = Object.fromEntries(
  REPORTS.filter((path) => existsSync(path)).flatMap((path) =>
    Object.entries(JSON.parse(readFileSync(path, 'utf8')).files),
  ),
)
const mutantsUnder = (prefix) =>
  Object.entries(files)
    .filter(([path]) => path.startsWith(prefix))
    .flatMap(([, file]) => file.mutants)

console.log('| Scope | Score | Killed | Survived | Equivalent | Invalid |')
console.log('| --- | --- | --- | --- | --- | --- |')
const tsMutants = [...mutantsUnder('src/'), ...mutantsUnder('adapters/'), ...mutantsUnder('compat/')]
if (tsMutants.length > 0) console.log(row('src/ + adapters/ + compat/', tsMutants))
for (const folder of ['src/', 'adapters/', 'compat/'])
  if (mutantsUnder(folder).length > 0) console.log(row(folder, mutantsUnder(folder)))
if (mutantsUnder('lua/').length > 0) console.log(row('lua/', mutantsUnder('lua/')))
for (const path of Object.keys(files)
  .filter((name) => name.startsWith('lua/'))
  .sort())
  console.log(row(path, files[path].mutants))

console.log('\nLeft alive on purpose (equivalent mutants):\n')
for (const [path, file] of Object.entries(files)) {
  const lines = file.source.split('\n')
  for (const mutant of file.mutants.filter((candidate) => candidate.status === 'Ignored')) {
    const { line } = mutant.location.start
    const code = lines[line - 1]?.trim()
    console.log(
      `- \`${path}:${line}\` ${mutant.mutatorName} \`${code}\` → \`${mutant.replacement}\`: ${mutant.statusReason}`,
    )
  }
}
