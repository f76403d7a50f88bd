import { RateLimitOptionsError } from '../errors.js'
import { type Algorithm, internalsOf, type Policy, type WindowPolicyOptions } from '../policy.js'
import { describe } from '../validate.js'
import { fixedWindow } from './fixed-window.js'
import { gcra } from './gcra.js'
import { slidingWindow } from './sliding-window.js'
import { tokenBucket } from './token-bucket.js'

/** The algorithms an HTTP adapter's `algorithm` option names. */
export type AlgorithmName = 'fixed-window' | 'sliding-window' | 'token-bucket' | 'gcra'

/** The policy factory behind each name. */
const POLICY_FACTORIES = {
  'fixed-window': fixedWindow,
  'sliding-window': slidingWindow,
  'token-bucket': tokenBucket,
  gcra,
} satisfies Record<AlgorithmName, (options: WindowPolicyOptions) => Policy>

/** Every algorithm's strategy object, in the order of {@link AlgorithmName}: what a Redis Functions library holds. */
export function everyAlgorithm(): Algorithm<unknown>[] {
  return Object.values(POLICY_FACTORIES).map((factory) => internalsOf(factory({ limit: 1, windowMs: 1 })).algorithm)
}

/**
 * Makes the policy `algorithm` names, or throws a RateLimitOptionsError naming the option.
 *
 * @example
 * ```ts
 * policyByName('gcra', { limit: 100, windowMs: 60_000 }) // same as gcra({ limit: 100, windowMs: 60_000 })
 * ```
 */
export function policyByName(algorithm: unknown, options: WindowPolicyOptions): Policy {
  if (typeof algorithm === 'string' && Object.hasOwn(POLICY_FACTORIES, algorithm))
    return POLICY_FACTORIES[algorithm as AlgorithmName](options)
  const expected = Object.keys(POLICY_FACTORIES)
    .map((name) => `'${name}'`)
    .join(', ')
  throw new RateLimitOptionsError(`Expected \`algorithm\` to be one of ${expected}, got ${describe(algorithm)}`)
}
