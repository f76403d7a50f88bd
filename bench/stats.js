// Summaries of the samples that interleaved rounds collect.

/** Median, least and greatest of `values` (undefined for none). */
export function summarize(values) {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  return { median, min: sorted[0], max: sorted[sorted.length - 1] }
}

/** A copy of `items` in random order (Fisher–Yates), so no contender always runs first or last. */
export function shuffled(items) {
  const copy = [...items]
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(Math.random() * (index + 1))
    ;[copy[index], copy[other]] = [copy[other], copy[index]]
  }
  return copy
}

/**
 * Opens every contender on `client` (prefix `floors`), then measures each once per round, in
 * `rounds` rounds of random order, on an emptied database: `measure(contender, opened)` resolves to
 * one sample. Resolves to the samples by contender.
 */
export async function floorRounds({ client, contenders, rounds, measure }) {
  const opened = new Map()
  for (const contender of contenders) opened.set(contender, await contender.open({ client, prefix: 'floors' }))
  const samples = new Map(contenders.map((contender) => [contender, []]))
  for (let round = 0; round < rounds; round++)
    for (const contender of shuffled(contenders)) {
      await client.flushdb()
      samples.get(contender).push(await measure(contender, opened.get(contender)))
    }
  return samples
}
