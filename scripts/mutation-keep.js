// `npm run mutate:keep -- <name>`: keeps the verdicts of the last Stryker run for the record, as
// reports/mutation/stryker-<name>.json (committed): Stryker's mutation.json cut down to what the
// score needs, each file's source and its mutants' verdicts (its per-test coverage lists make it
// megabytes). A run of part of the code (`npm run mutate -- --mutate 'src/redis/*.ts'`) is kept
// under a name of its own; `npm run mutate:score` reads them all. See TESTING.md.
import { readFileSync, writeFileSync } from 'node:fs'

const [name] = process.argv.slice(2)
if (!name || !/^[\w-]+$/.test(name)) throw new Error('name the run: npm run mutate:keep -- <letters, digits, -, _>')

const { schemaVersion, thresholds, files } = JSON.parse(readFileSync('reports/mutation/mutation.json', 'utf8'))
const kept = Object.fromEntries(
  Object.entries(files).map(([path, { language, source, mutants }]) => [
    path,
    {
      language,
      source,
      mutants: mutants.map(({ id, mutatorName, replacement, location, status, statusReason, static: isStatic }) => ({
        id,
        mutatorName,
        replacement,
        location,
        status,
        ...(statusReason ? { statusReason } : {}),
        // Run at import: the score leaves out such a mutant's survival (mutation-score.js says why).
        ...(isStatic ? { static: true } : {}),
      })),
    },
  ]),
)
const path = `reports/mutation/stryker-${name}.json`
const keptAt = new Date().toISOString()
writeFileSync(path, `${JSON.stringify({ schemaVersion, thresholds, keptAt, files: kept }, null, 1)}\n`)
console.log(`kept ${Object.keys(kept).length} files' verdicts in ${path}`)
