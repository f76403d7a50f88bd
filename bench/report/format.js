// Number and table formatting shared by BENCHMARKS.md and the chart.
import { summarize } from '../stats.js'

/** `65.2k`, `5.31M`, `812`: three significant figures, short enough for a table cell. */
export function rate(value) {
  if (value >= 1e6) return `${(value / 1e6).toPrecision(3)}M`
  if (value >= 1e3) return `${(value / 1e3).toPrecision(3)}k`
  return String(Math.round(value))
}

/** `0.87×` */
export const ratio = (value) => (value === undefined ? '–' : `${value.toFixed(2)}×`)

/** `0.80× (0.71–0.86)`: a row's ratio to its cell's reference, median and spread across rounds. */
export function ratioCell(row) {
  if (row?.ratio === undefined) return '–'
  return `${ratio(row.ratio)} (${row.ratioMin.toFixed(2)}–${row.ratioMax.toFixed(2)})`
}

/** A row's throughput across rounds, and whether any of its runs broke the run's rules. */
export function rowFigures(row) {
  const stats = summarize(row.samples.map((sample) => sample.perSecond))
  const invalid = row.samples.some((sample) => invalidSample(sample))
  return { ...stats, invalid }
}

/** A run with a refusal, a degraded decision or an error measured something other than the normal path. */
export function invalidSample({ denied = 0, degraded = 0, errors = 0, refused = 0 }) {
  return denied + degraded + errors + refused > 0
}

/** `65.2k (61.0k–70.3k)`, marked `⚠` when a run was invalid. */
export function rateCell(figures) {
  if (!figures) return '–'
  return `${rate(figures.median)} (${rate(figures.min)}–${rate(figures.max)})${figures.invalid ? ' ⚠' : ''}`
}

/** A Markdown table from a header row and body rows. */
export function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}
