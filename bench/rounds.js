// Interleaved rounds: on 2 shared cores, whatever else the machine does drifts over minutes, so
// every contender is measured once per round, in a fresh random order, and rounds repeat. A drift
// then lands on every contender alike, and the spread across rounds shows how much there was.
import { shuffled } from './stats.js'

/**
 * For each round, for each cell (a setting such as 64 in flight on random keys), runs
 * `measure(cell, contender)` once per contender of the cell, in random order. Resolves
 * to the cells, each with one row per contender holding its samples (one per round).
 */
export async function interleave({ rounds, cells, measure, log }) {
  const results = cells.map((cell) => ({
    ...cell,
    rows: cell.contenders.map(({ id, side }) => ({ id, side, samples: [] })),
  }))
  for (let round = 1; round <= rounds; round++) {
    log(`round ${round} of ${rounds}`)
    for (const cell of results) {
      for (const contender of shuffled(cell.contenders)) {
        const sample = await measure(cell, contender)
        cell.rows.find((row) => row.id === contender.id).samples.push(sample)
      }
    }
  }
  return results.map(({ contenders, ...cell }) => cell)
}
