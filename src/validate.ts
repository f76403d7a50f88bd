import { RateLimitOptionsError } from './errors.js'

/** Renders a received value for an error message: strings quoted, everything else as JS shows it. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  if (typeof value === 'function') return 'a function'
  if (Array.isArray(value)) return 'an array'
  if (value === null || typeof value !== 'object') return String(value)
  return 'an object'
}

/** Throws a RateLimitOptionsError unless `value` is an integer in [minimum, maximum]. */
export function assertInteger(
  value: unknown,
  option: string,
  minimum: number,
  maximum = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= minimum && value <= maximum) return value
  const range = maximum === Number.MAX_SAFE_INTEGER ? '' : ` of at most ${maximum}`
  const kind =
    minimum === 0 ? 'a non-negative integer' : minimum === 1 ? 'a positive integer' : `an integer from ${minimum}`
  throw new RateLimitOptionsError(`Expected \`${option}\` to be ${kind}${range}, got ${describe(value)}`)
}

/** Throws a RateLimitOptionsError naming every key of `options` that is not in `known`. */
export function assertKnownOptions(options: object, known: readonly string[], subject: string): void {
  const unknown = Object.keys(options).filter((name) => !known.includes(name))
  if (unknown.length > 0) {
    const names = unknown.map((name) => `\`${name}\``).join(', ')
    throw new RateLimitOptionsError(`Unknown ${subject} option ${names}; expected one of ${known.join(', ')}`)
  }
}

/** Throws a RateLimitOptionsError unless `value` is a plain object (or undefined, read as `{}`). */
export function assertOptionsObject<T extends object>(
  value: T | undefined,
  subject: string,
): T | Record<string, never> {
  if (value === undefined) return {}
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new RateLimitOptionsError(`Expected ${subject} options to be an object, got ${describe(value)}`)
  return value
}

/** `value`, or `fallback` when it is undefined. Unlike `??`, a null stays, to be rejected as invalid. */
export function withDefault<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value
}
