// Where a run's report goes: BENCHMARKS.md and bench/results.svg for a complete run, stdout for a
// run of some sections only, and the raw samples to reports/bench.json (or all of it to --out).
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { resultsSvg } from './chart.js'
import { figuresOf } from './figures.js'
import { benchmarksMarkdown } from './markdown.js'
import { judgeTargets } from './targets.js'

/** Judges the targets, logs the verdicts and writes the report. */
export function writeReport({ results, plan, log }) {
  const figures = {
    ...results,
    decisions: results.decisions && figuresOf(results.decisions),
    cores: results.cores?.cells ? { ...results.cores, ...figuresOf(results.cores.cells) } : results.cores,
    http: results.http && { ...figuresOf(results.http.cells), pinned: results.http.pinned },
  }
  const verdicts = judgeTargets(figures)
  for (const { target, verdict } of verdicts) log(`  ${verdict.padEnd(12)} ${target}`)
  const markdown = `${benchmarksMarkdown({ ...figures, verdicts })}\n`
  const at = (file, fallback) => (plan.outDir ? join(plan.outDir, file) : fallback)
  const json = at('bench.json', join('reports', 'bench.json'))
  mkdirSync(join(json, '..'), { recursive: true })
  writeFileSync(
    json,
    `${JSON.stringify(results, (_key, value) => (value instanceof Error ? value.message : value), 1)}\n`,
  )
  if (plan.complete || plan.outDir) {
    writeFileSync(at('BENCHMARKS.md', 'BENCHMARKS.md'), markdown)
    if (figures.decisions && figures.http)
      writeFileSync(at('results.svg', join('bench', 'results.svg')), resultsSvg(figures))
    log(`wrote ${at('BENCHMARKS.md', 'BENCHMARKS.md')}, ${at('results.svg', 'bench/results.svg')} and ${json}`)
  } else {
    console.log(`\n${markdown}`)
  }
}
