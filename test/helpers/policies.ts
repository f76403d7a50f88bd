import {
  type AlgorithmName,
  type BurstPolicyOptions,
  fixedWindow,
  gcra,
  type Policy,
  slidingWindow,
  tokenBucket,
} from '../../src/index.js'
import { internalsOf } from '../../src/policy.js'

/** Every algorithm's factory, by algorithm name, for suites that run once per algorithm. */
export const factories: Record<string, (options: BurstPolicyOptions) => Policy> = {
  'fixed-window': ({ burst: _burst, ...options }) => fixedWindow(options),
  'fixed-window-anchored': ({ burst: _burst, ...options }) => fixedWindow({ ...options, anchor: 'first-request' }),
  'sliding-window': ({ burst: _burst, ...options }) => slidingWindow(options),
  'token-bucket': tokenBucket,
  gcra,
}

export const algorithmNames = Object.keys(factories)

/** The internal strategy objects of every algorithm. */
export const algorithms = algorithmNames.map(
  (name) =>
    internalsOf((factories[name] as (options: BurstPolicyOptions) => Policy)({ limit: 1, windowMs: 1 })).algorithm,
)

/** A policy of the named algorithm. */
export function policyOf(algorithm: string, options: BurstPolicyOptions): Policy {
  const factory = factories[algorithm]
  if (!factory) throw new Error(`no algorithm ${algorithm}`)
  return factory(options)
}

/** Whether the algorithm refills continuously (so a burst can hold more than `limit`). */
export function hasBurst(algorithm: string): boolean {
  return algorithm === 'token-bucket' || algorithm === 'gcra'
}

/** The HTTP adapters' options that make the named algorithm's policy (`algorithm`, and `anchor` for the anchored window). */
export function httpAlgorithmOptions(algorithm: string): { algorithm: AlgorithmName; anchor?: 'first-request' } {
  if (algorithm === 'fixed-window-anchored') return { algorithm: 'fixed-window', anchor: 'first-request' }
  return { algorithm: algorithm as AlgorithmName }
}
