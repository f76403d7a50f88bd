// BENCHMARKS.md's section on client address parsing: nanoseconds per call of each input.
import { summarize } from '../stats.js'
import { table } from './format.js'

/** `1,234 (1,200–1,310)`: the median across rounds and its spread, in whole nanoseconds. */
function nsCell(samples) {
  const { median, min, max } = summarize(samples.map((sample) => sample.nsPerCall))
  const ns = (value) => Math.round(value).toLocaleString('en-US')
  return `${ns(median)} (${ns(min)}–${ns(max)})`
}

/** The section, from the rows `measureAddresses` resolved to. */
export function addressesSection(rows) {
  return `## Client address parsing

What the default key costs a request: \`ipKey\` on the addresses sockets and proxies give, and on
a 16 KB X-Forwarded-For entry that is not an address (\`1:1:1:…\`); then the fetch guard's whole
decision on a memory store (the header read from the right under \`trustProxy: 1\`, the key, the
decision) with a normal and with that malformed header. Nanoseconds per call, in a process that
has run nothing else yet; medians across rounds, min–max in brackets.

${table(
  ['input', 'ns per call'],
  rows.map((row) => [row.id, nsCell(row.samples)]),
)}`
}
