import { describe } from '../validate.js'
import { UNKNOWN_CLIENT_KEY } from './client-ip.js'
import { WARNING_CODES, warnOnce } from './warnings.js'

/**
 * The key a `keyGenerator`'s answer stands for: a non-empty string as it is, a finite number or a
 * bigint as its decimal text, and anything else (`''`, `undefined`, `null`, `false`, NaN, an
 * object) the one fallback key {@link UNKNOWN_CLIENT_KEY}, with a warning once per process. Such a
 * request still counts, under a quota all of them share: no 500 for the client, no free pass.
 */
export function keyOfGenerated(generated: unknown): string {
  if (typeof generated === 'string' && generated.length > 0) return generated
  if ((typeof generated === 'number' && Number.isFinite(generated)) || typeof generated === 'bigint')
    return String(generated)
  warnOnce(
    WARNING_CODES.noKey,
    `A keyGenerator returned ${describe(generated)}, which is not a key, so such requests share one quota under the ` +
      `key "${UNKNOWN_CLIENT_KEY}". Return a non-empty string or a number for every request, or \`skip\` the ` +
      'requests that have no client to count.',
  )
  return UNKNOWN_CLIENT_KEY
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  // Stryker disable next-line ConditionalExpression: a shortcut: a plain key or cost, awaited, is the same a turn later
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function'
}
