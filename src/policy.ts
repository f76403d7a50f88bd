import { RateLimitOptionsError } from './errors.js'
import { integersIn } from './integer-text.js'
import { assertInteger, assertKnownOptions, assertOptionsObject, describe, withDefault } from './validate.js'

/** What one policy says about one decision. */
export interface PolicyOutcome {
  /** Whether this policy lets the request through. */
  readonly allowed: boolean
  /** Units left under this policy after the decision (on a denial: what was left, nothing was charged). */
  readonly remaining: number
  /** Milliseconds until this policy's quota is whole again (0 when nothing is used). */
  readonly resetAfterMs: number
  /** Milliseconds until a request of the same cost could pass: 0 when allowed, `Infinity` when never. */
  readonly retryAfterMs: number
  /**
   * Milliseconds until more quota is available, with no other traffic: until `remaining` grows by at
   * least one unit (0 when the quota is whole). The fixed window's end, the sliding window's next
   * ageing-out, the bucket's next token, GCRA's next emission.
   */
  readonly nextQuotaMs: number
}

/**
 * A rate limit rule: at most `limit` units per `windowMs`, decided by one algorithm. Made by a
 * factory such as {@link fixedWindow}; treat it as an opaque, immutable value.
 */
export interface Policy {
  /** The deciding algorithm, for example `'fixed-window'`. */
  readonly algorithm: string
  /** Name shown in headers and used in store keys; unique within one limiter. */
  readonly name: string
  /** Units allowed per window. */
  readonly limit: number
  /** Length of the window in milliseconds. */
  readonly windowMs: number
  /** Most units that can pass at once; `limit` for the window algorithms. */
  readonly burst: number
}

/** A policy's verdict plus, when it charged, the state to store and when that state stops mattering. */
export interface Evaluation<State> extends PolicyOutcome {
  readonly nextState?: State | undefined
  readonly expiresAtMs: number
}

/** The three numbers a state is kept in by {@link StatePacking}: a memory store's client record. */
export interface PackedState {
  packedA: number
  packedB: number
  packedC: number
}

/**
 * A state as up to three numbers (the integers its key holds on Redis; those it does not use stay
 * as they are), and back. A memory store keeps a client's state in its record's own fields, where an
 * object of the state's own per client cost a cache-missing read more on every decision over a
 * large map, and a copy of each new state into it (see ClientRecord).
 */
export interface StatePacking<State> {
  /** Writes `state` into `into`'s numbers. */
  pack(state: State, into: PackedState): void
  /** The state `from`'s numbers hold, as a new value. */
  unpack(from: PackedState): State
}

/**
 * One algorithm: its Lua script (the file in `lua/`) and its TypeScript twin, which must agree on
 * every decision. The twin decides in the memory store, and works out the figures of the Redis store
 * from the states lua/decide.lua answers with. Adding an algorithm means one `lua/*.lua` file and one
 * `src/algorithms/*.ts` file.
 */
export interface Algorithm<State> extends StatePacking<State> {
  /** The policy's `algorithm`, also the name the Lua frame dispatches on. */
  readonly name: string
  /**
   * Tag before the policy name in store keys, so that two algorithms never read each other's state;
   * empty for the fixed window, the default, whose keys stay shortest (names hold no `:`).
   */
  readonly keyTag: string
  /** Source of `lua/<name>.lua`. */
  readonly luaSource: string
  /**
   * Name of the Lua function in that file: `(key, nowMs, cost, charge, limit, windowMs, burst)`
   * returning allowed, remaining, resetAfterMs, retryAfterMs, nextQuotaMs and the key's state as it
   * read it.
   */
  readonly luaFunction: string
  /**
   * Decides from `state` (undefined when none is stored) exactly as the Lua function does. When
   * `charge` is set and the request fits, `nextState` is what to store until `expiresAtMs`.
   */
  evaluate(policy: Policy, state: State | undefined, nowMs: number, cost: number, charge: boolean): Evaluation<State>
  /**
   * The state from the text lua/decide.lua replies for the key: its string as stored, whole numbers
   * joined by `:` (see {@link storedFields}).
   */
  parseState(text: string): State
  /**
   * Gives back `cost` units charged at `chargedAtMs`, as the Lua `<luaFunction>_refund` does: the
   * state to store (keeping its expiry), or undefined when there is nothing to give back.
   */
  refund(policy: Policy, state: State, nowMs: number, chargedAtMs: number, cost: number): State | undefined
}

interface PolicyInternals {
  readonly algorithm: Algorithm<unknown>
  /** `<keyTag>:<name>`, or just `<name>` without a tag: the policy's part of a store key. */
  readonly storageName: string
  /** A policy of the same kind with these fields, checked as its factory checks them. */
  readonly remake: (fields: PolicyFields) => Policy
}

/**
 * Where a policy carries its internals: a property no one else can name, not enumerable, so a copy
 * of the policy is not one. A property rather than a WeakMap entry: limiters made per tenant make
 * policies by the thousand, and a WeakMap's table keeps the size it grew to after they are gone.
 */
const INTERNALS = Symbol('atomic-ratelimit policy internals')

/** Most units a limit or burst may hold: Lua prints integers up to this without an exponent. */
export const MAX_UNITS = 10 ** 14 - 1

/** Longest window accepted: ten years. */
export const MAX_WINDOW_MS = 10 * 365 * 86_400_000

const POLICY_NAME = /^[\w.~/+-]{1,64}$/

/**
 * Builds a frozen policy decided by `algorithm`; `remake` makes one of the same kind with other
 * fields, through its factory (see {@link withNumbers}).
 */
export function definePolicy<State>(
  algorithm: Algorithm<State>,
  fields: PolicyFields,
  remake: (fields: PolicyFields) => Policy,
): Policy {
  const policy: Policy = { algorithm: algorithm.name, ...fields }
  const internals: PolicyInternals = {
    algorithm: algorithm as Algorithm<unknown>,
    storageName: algorithm.keyTag ? `${algorithm.keyTag}:${fields.name}` : fields.name,
    remake,
  }
  Object.defineProperty(policy, INTERNALS, { value: internals })
  return Object.freeze(policy)
}

/**
 * The policy with another limit and window, its name (so its keys and stored state) kept: what a
 * per-request limit decides under. The burst follows the limit when it was the limit; an explicit
 * burst stays. Throws a RateLimitOptionsError, as the factory would, for numbers it refuses.
 */
export function withNumbers(policy: Policy, limit: number, windowMs: number): Policy {
  if (limit === policy.limit && windowMs === policy.windowMs) return policy
  const burst = policy.burst === policy.limit ? limit : policy.burst
  return internalsOf(policy).remake({ name: policy.name, limit, windowMs, burst })
}

/** The algorithm and storage name of a policy; throws for a policy not made by a factory here. */
export function internalsOf(policy: Policy): PolicyInternals {
  const found = (policy as { [INTERNALS]?: PolicyInternals } | null)?.[INTERNALS]
  if (found) return found
  const algorithm = (policy as { algorithm?: unknown } | null)?.algorithm
  const got = typeof algorithm === 'string' ? `a hand-made policy of algorithm "${algorithm}"` : describe(policy)
  throw new RateLimitOptionsError(`Expected \`policy\` to come from a policy factory such as fixedWindow(), got ${got}`)
}

/** Options every policy factory takes. */
export interface WindowPolicyOptions {
  /** Units allowed per window: a positive integer. */
  readonly limit: number
  /** Window length in milliseconds: a positive integer of at most ten years. */
  readonly windowMs: number
  /** Name in headers and keys. @default derived from the numbers, for example `'100-per-60s'` */
  readonly name?: string
}

/** Options of the policies that refill continuously and can hold a burst. */
export interface BurstPolicyOptions extends WindowPolicyOptions {
  /** Most units that can pass at once: a positive integer. @default limit */
  readonly burst?: number
}

/** A policy's checked numbers and name, ready for {@link definePolicy}. */
export type PolicyFields = Omit<Policy, 'algorithm'>

/**
 * Validates a factory's options (`burst` and any other the factory reads itself only where listed in
 * `ownOptions`) and derives the default name: `100-per-60s`, `100-per-1500ms` when the window is not
 * whole seconds, `-burst-200` appended when the burst differs from the limit.
 */
export function readPolicyOptions(
  options: BurstPolicyOptions,
  factory: string,
  ownOptions: readonly string[] = [],
): PolicyFields {
  const given = assertOptionsObject(options as BurstPolicyOptions | undefined, `${factory}()`)
  assertKnownOptions(given, ['limit', 'windowMs', 'name', ...ownOptions], `${factory}()`)
  const limit = assertInteger(given.limit, 'limit', 1, MAX_UNITS)
  const windowMs = assertInteger(given.windowMs, 'windowMs', 1, MAX_WINDOW_MS)
  const burst = assertInteger(withDefault(given.burst, limit), 'burst', 1, MAX_UNITS)
  const name = given.name
  if (name !== undefined && (typeof name !== 'string' || !POLICY_NAME.test(name)))
    throw new RateLimitOptionsError(
      `Expected \`name\` to be 1 to 64 letters, digits or any of _ . ~ / + -, got ${describe(name)}`,
    )
  const defaultName = `${limit}-per-${windowText(windowMs)}${burst === limit ? '' : `-burst-${burst}`}`
  return { name: name ?? defaultName, limit, windowMs, burst }
}

/** A window as policy names show it: `60s`, or `1500ms` when it is not whole seconds. */
export function windowText(windowMs: number): string {
  return windowMs % 1000 === 0 ? `${windowMs / 1000}s` : `${windowMs}ms`
}

/**
 * The `count` whole numbers of a key's state as lua/decide.lua replies it (`<a>:<b>…`); throws for
 * anything else, which only a key written outside the library can hold.
 */
export function storedFields(text: string, count: number): number[] {
  const fields = integersIn(text, COLON)
  if (fields?.length === count && fields.every(isWhole)) return fields
  throw new Error(`atomic-ratelimit: Redis answered a state it cannot hold: "${text}"`)
}

const COLON = 58

function isWhole(value: number): boolean {
  return value >= 0
}

/** Throws unless `product` (of the options `description` names) stays exact in Lua and JS numbers. */
export function assertExactProduct(product: number, description: string, maximum = Number.MAX_SAFE_INTEGER): void {
  if (product <= maximum) return
  throw new RateLimitOptionsError(`Expected ${description} to be at most ${maximum}, got ${product}`)
}

/** The policy with its limit and burst divided among `instances` processes, at least 1 each. */
export function shareOfPolicy(policy: Policy, instances: number): Policy {
  if (instances === 1) return policy
  const share = (units: number) => Math.max(1, Math.floor(units / instances))
  const { name, windowMs, limit, burst } = policy
  const { algorithm, remake } = internalsOf(policy)
  return definePolicy(algorithm, { name, windowMs, limit: share(limit), burst: share(burst) }, remake)
}
