// The README's code, as users paste it: every `ts` and `js` block of README.md and of the guides it
// links is typechecked with `tsc --strict` against the built package (imported by its own name),
// then run with Node against this suite's Redis. A block that cannot run alone opens with the line
// `// snippet: types only` and says why after it.
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ports } from './helpers/redis.js'

const execFileAsync = promisify(execFile)

interface Snippet {
  /** `README.md:71`: the file and the line of the opening fence. */
  readonly place: string
  /** The file name it is written to, without extension. */
  readonly name: string
  readonly code: string
  readonly runs: boolean
}

const TYPES_ONLY = '// snippet: types only'

/** The `ts` and `js` blocks of a Markdown file. */
function snippetsOf(file: string): Snippet[] {
  const lines = readFileSync(file, 'utf8').split('\n')
  const snippets: Snippet[] = []
  for (let start = 0; start < lines.length; start++) {
    const fence = /^```(ts|js)$/.exec(lines[start] as string)
    if (!fence) continue
    const end = lines.indexOf('```', start + 1)
    const code = lines.slice(start + 1, end).join('\n')
    const name = `${file.replace(/[^\w]/g, '-')}-${start + 1}`
    snippets.push({ place: `${file}:${start + 1}`, name, code, runs: !code.startsWith(TYPES_ONLY) })
    start = end
  }
  return snippets
}

/**
 * README.md and every guide under docs/ it links to that exists: the migration guides are written on
 * separate branches, and the README links all of them before each is merged.
 */
function documents(): string[] {
  return ['README.md', ...linkedGuides().filter((guide) => existsSync(guide))]
}

function linkedGuides(): string[] {
  const readme = readFileSync('README.md', 'utf8')
  return [...new Set([...readme.matchAll(/\]\((docs\/[\w./-]+\.md)\)/g)].map((match) => match[1] as string))]
}

const snippets = documents().flatMap(snippetsOf)
const scratch = resolve('reports', 'snippets')

/** Runs a compiled snippet to the end of its top level, then exits: servers and clients it left open do not hold it. */
const RUNNER = `await import(process.argv[2])
setTimeout(() => process.exit(0), 50)
`

describe('the README snippets', () => {
  let typeErrors = ''

  beforeAll(async () => {
    rmSync(scratch, { recursive: true, force: true })
    mkdirSync(scratch, { recursive: true })
    for (const { name, code } of snippets) writeFileSync(join(scratch, `${name}.ts`), `${code}\nexport {}\n`)
    writeFileSync(join(scratch, 'run.mjs'), RUNNER)
    const compilerOptions = {
      strict: true,
      module: 'nodenext',
      target: 'es2022',
      lib: ['es2022', 'dom'],
      types: ['node'],
      skipLibCheck: true,
      outDir: 'out',
      noEmitOnError: false,
    }
    writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['*.ts'] }))
    typeErrors = await execFileAsync(join('node_modules', '.bin', 'tsc'), ['-p', join(scratch, 'tsconfig.json')]).then(
      () => '',
      (error: { stdout: string }) => error.stdout,
    )
  }, 120_000)
  afterAll(() => rmSync(scratch, { recursive: true, force: true }))

  it('are found, most of them runnable', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(8)
    expect(snippets.filter((snippet) => snippet.runs).length).toBeGreaterThan(snippets.length / 2)
  })

  it.each(snippets.map((snippet) => [snippet.place, snippet] as const))(
    '%s typechecks with tsc --strict',
    (_place, { name }) => {
      const own = typeErrors.split('\n').filter((line) => line.includes(`${name}.ts(`))
      expect(own).toEqual([])
    },
  )

  it.each(snippets.filter((snippet) => snippet.runs).map((snippet) => [snippet.place, snippet] as const))(
    '%s runs',
    async (_place, { name }) => {
      const env = { ...process.env, REDIS_URL: `redis://127.0.0.1:${ports.standalonePort}` }
      const { stderr } = await execFileAsync(process.execPath, ['run.mjs', `./out/${name}.js`], {
        cwd: scratch,
        env,
        timeout: 20_000,
      })
      expect(stderr).not.toMatch(/Error/)
    },
    30_000,
  )
})
