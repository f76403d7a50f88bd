import { RateLimitOptionsError } from './errors.js'
import type { RateLimiterOptions } from './limiter-options.js'
import type { BanOptions, PenaltySettings } from './penalty.js'
import { MAX_WINDOW_MS, type Policy } from './policy.js'
import { assertInteger, assertKnownOptions, assertOptionsObject, describe, withDefault } from './validate.js'

/** The penalties, checked; undefined when there are none and no refusals are counted. */
export function readPenaltyOptions(
  given: Pick<RateLimiterOptions, 'continueExceeding' | 'ban' | 'countRefusals'>,
  policies: readonly Policy[],
): PenaltySettings | undefined {
  const continueExceeding = readFlag(given.continueExceeding, 'continueExceeding')
  const countRefusals = readFlag(given.countRefusals, 'countRefusals')
  if (!continueExceeding && !countRefusals && given.ban === undefined) return undefined
  const longestWindowMs = Math.max(...policies.map((policy) => policy.windowMs))
  return { continueExceeding, ban: readBan(given.ban, longestWindowMs), refusalsKeptMs: longestWindowMs }
}

function readBan(value: BanOptions | undefined, longestWindowMs: number): Required<BanOptions> | undefined {
  if (value === undefined) return undefined
  const given = assertOptionsObject(value, 'ban')
  assertKnownOptions(given, ['afterRefusals', 'durationMs', 'growthFactor', 'maxDurationMs', 'forgetAfterMs'], 'ban')
  const durationMs = assertInteger(withDefault(given.durationMs, longestWindowMs), 'durationMs', 1, MAX_WINDOW_MS)
  return {
    afterRefusals: assertInteger(given.afterRefusals, 'afterRefusals', 1, 1_000_000),
    durationMs,
    growthFactor: assertInteger(withDefault(given.growthFactor, 1), 'growthFactor', 1, 100),
    maxDurationMs: assertInteger(
      withDefault(given.maxDurationMs, 100 * durationMs),
      'maxDurationMs',
      durationMs,
      100 * MAX_WINDOW_MS,
    ),
    forgetAfterMs: assertInteger(withDefault(given.forgetAfterMs, 86_400_000), 'forgetAfterMs', 0, MAX_WINDOW_MS),
  }
}

function readFlag(value: unknown, option: string): boolean {
  if (value === undefined || typeof value === 'boolean') return value === true
  throw new RateLimitOptionsError(`Expected \`${option}\` to be a boolean, got ${describe(value)}`)
}
