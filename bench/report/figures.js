// The measured cells as figures to look up: each row's median and spread across rounds, and its
// ratio to the cell's reference (the bare script, our memory store, or the app with no limiter).
import { summarize } from '../stats.js'
import { rowFigures } from './format.js'

/** Figures of every row of `cells`, looked up by a cell's fields and a row id. */
export function figuresOf(cells) {
  const figured = cells.map((cell) => {
    const rows = new Map(cell.rows.map((row) => [row.id, { ...row, ...rowFigures(row), ...latencies(row) }]))
    const reference = rows.get(cell.reference)
    if (reference)
      for (const row of rows.values()) {
        const paired = pairedRatio(row, reference)
        if (paired) Object.assign(row, { ratio: paired.median, ratioMin: paired.min, ratioMax: paired.max })
      }
    return { ...cell, rows }
  })
  return {
    cells: figured,
    /** The row `id` of the cell whose fields equal `where`'s, or undefined. */
    get(where, id) {
      const cell = figured.find((candidate) =>
        Object.entries(where).every(([field, value]) => candidate[field] === value),
      )
      return cell?.rows.get(id)
    },
  }
}

/**
 * `row`'s rate over `other`'s, round by round (both were measured in each round, a few seconds
 * apart): median, least and greatest of those ratios, or undefined when either row is missing. A
 * drift of the shared machine that outlasts a round lands on both sides of each ratio, where a ratio
 * of the two medians could take one side's fast round against the other's slow one.
 */
export function pairedRatio(row, other) {
  if (!row || !other) return undefined
  const ratios = row.samples
    .map((sample, round) => sample.perSecond / other.samples[round]?.perSecond)
    .filter((value) => Number.isFinite(value))
  return summarize(ratios)
}

/** Median p50 and p99 across rounds, for the HTTP rows. */
function latencies(row) {
  if (row.samples[0]?.p99 === undefined) return {}
  const median = (field) => summarize(row.samples.map((sample) => sample[field]))?.median
  return { p50: median('p50'), p99: median('p99') }
}
