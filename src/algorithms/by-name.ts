import { RateLimitOptionsError } from '../errors.js'
import { type Algorithm, internalsOf, type Policy, type WindowPolicyOptions } from '../policy.js'
import { describe } from '../validate.js'
import { type FixedWindowOptions, fixedWindow } from './fixed-window.js'
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

/**
 * Every algorithm's strategy object, in the order of {@link AlgorithmName} and then the anchored
 * fixed window: what a Redis Functions library holds.
 */
export function everyAlgorithm(): Algorithm<unknown>[] {
  const unit = { limit: 1, windowMs: 1 }
  const policies = [...Object.values(POLICY_FACTORIES).map((factory) => factory(unit))]
  policies.push(fixedWindow({ ...unit, anchor: 'first-request' }))
  return policies.map((policy) => internalsOf(policy).algorithm)
}

/**
 * Makes the policy `algorithm` names (`anchor` goes with the fixed window only), or throws a RateLimitOptionsError naming the option.
 *
 * @example
 * ```ts
 * policyByName('gcra', { limit: 100, windowMs: 60_000 }) // same as gcra({ limit: 100, windowMs: 60_000 })
 * policyByName('fixed-window', { limit: 5, windowMs: 60_000, anchor: 'first-request' })
 * ```
 */
export function policyByName(algorithm: unknown, options: FixedWindowOptions): Policy {
  if (algorithm === 'fixed-window') return fixedWindow(options)
  if (options.anchor !== undefined)
    throw new RateLimitOptionsError(
      `Expected \`anchor\` only with algorithm 'fixed-window', got ${describe(algorithm)}`,
    )
  if (typeof algorithm === 'string' && Object.hasOwn(POLICY_FACTORIES, algorithm))
    return POLICY_FACTORIES[algorithm as AlgorithmName](options)
  const expected = Object.keys(POLICY_FACTORIES)
    .map((name) => `'${name}'`)
    .join(', ')
  throw new RateLimitOptionsError(`Expected \`algorithm\` to be one of ${expected}, got ${describe(algorithm)}`)
}
