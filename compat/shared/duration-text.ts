/** The units a duration is written in, longest first, with their length in ms. */
const UNITS = [
  ['year', 365.25 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1_000],
] as const

/**
 * A duration in words, as the peers' messages write it (`retry in 1 minute`): the largest unit it
 * reaches, rounded to the nearest whole one, plural unless it is 1 (`59 seconds`, `2 hours`);
 * under a second, `<n> ms`. `years`: whether a year is a unit (@fastify/rate-limit's words) or
 * days go on (koa-ratelimit's).
 *
 * @example
 * ```ts
 * durationText(1_000, { years: true }) // '1 second'
 * durationText(90_000, { years: false }) // '2 minutes'
 * ```
 */
export function durationText(ms: number, { years }: { readonly years: boolean }): string {
  for (const [name, unitMs] of UNITS) {
    if (ms < unitMs || (name === 'year' && !years)) continue
    const count = Math.round(ms / unitMs)
    return `${count} ${name}${count === 1 ? '' : 's'}`
  }
  return `${ms} ms`
}

/** Unit words a duration text may use, by the ms each stands for. */
const UNIT_WORDS: ReadonlyMap<string, number> = new Map(
  (
    [
      [1, ['', 'ms', 'msec', 'msecs', 'millisecond', 'milliseconds']],
      [1_000, ['s', 'sec', 'secs', 'second', 'seconds']],
      [60_000, ['m', 'min', 'mins', 'minute', 'minutes']],
      [3_600_000, ['h', 'hr', 'hrs', 'hour', 'hours']],
      [86_400_000, ['d', 'day', 'days']],
      [7 * 86_400_000, ['w', 'wk', 'wks', 'week', 'weeks']],
      [365.25 * 86_400_000, ['y', 'yr', 'yrs', 'year', 'years']],
    ] as const
  ).flatMap(([unitMs, words]) => words.map((word) => [word, unitMs] as const)),
)

/**
 * The ms a duration text means (`'1 minute'`, `'10s'`, `'1.5 hours'`, `'500'`), in any case;
 * undefined for text that is none, or a duration of zero.
 *
 * @example
 * ```ts
 * parseDuration('2 minutes') // 120000
 * ```
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(-?\d*\.?\d+) *([a-z]*)$/.exec(text.toLowerCase())
  const unitMs = match ? UNIT_WORDS.get(match[2] as string) : undefined
  if (match === null || unitMs === undefined) return undefined
  const ms = Number(match[1]) * unitMs
  return ms === 0 ? undefined : ms
}
