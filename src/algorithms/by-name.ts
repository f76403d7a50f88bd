import { RateLimitOptionsError } from '../errors.js'
import type { Policy, WindowPolicyOptions } from '../policy.js'
import { describe } from '../validate.js'
import { fixedWindow } from './fixed-window.js'

/** The algorithms an HTTP adapter's `algorithm` option names. */
export type AlgorithmName = 'fixed-window' | 'sliding-window' | 'token-bucket' | 'gcra'

const ALGORITHM_NAMES: readonly AlgorithmName[] = ['fixed-window', 'sliding-window', 'token-bucket', 'gcra']

/** The policy factory behind each name; a name missing here is not available in this build yet. */
const POLICY_FACTORIES: Partial<Record<AlgorithmName, (options: WindowPolicyOptions) => Policy>> = {
  'fixed-window': fixedWindow,
}

/**
 * Makes the policy `algorithm` names, or throws a RateLimitOptionsError naming the option.
 *
 * @example
 * ```ts
 * policyByName('fixed-window', { limit: 100, windowMs: 60_000 }) // same as fixedWindow({ limit: 100, windowMs: 60_000 })
 * ```
 */
export function policyByName(algorithm: unknown, options: WindowPolicyOptions): Policy {
  const known = typeof algorithm === 'string' && Object.hasOwn(POLICY_FACTORIES, algorithm)
  const factory = known ? POLICY_FACTORIES[algorithm as AlgorithmName] : undefined
  if (factory) return factory(options)
  const available = Object.keys(POLICY_FACTORIES).map((name) => `'${name}'`)
  const missing = ALGORITHM_NAMES.includes(algorithm as AlgorithmName)
    ? ` (${describe(algorithm)} is not available in this version)`
    : ''
  const expected = available.length === 1 ? available[0] : `one of ${available.join(', ')}`
  throw new RateLimitOptionsError(`Expected \`algorithm\` to be ${expected}${missing}, got ${describe(algorithm)}`)
}
