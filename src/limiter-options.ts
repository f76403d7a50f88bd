import { fixedWindow } from './algorithms/fixed-window.js'
import { BlockCache } from './block-cache.js'
import type { CircuitBreakerOptions, ResolvedCircuitBreakerOptions } from './breaker.js'
import { createDefaultErrorLog } from './error-log.js'
import { RateLimitOptionsError } from './errors.js'
import { MemoryStore } from './memory-store.js'
import type { BanOptions, PenaltySettings } from './penalty.js'
import { readPenaltyOptions } from './penalty-options.js'
import { internalsOf, type Policy } from './policy.js'
import type { Store } from './store.js'
import type { StoreFailurePolicy } from './store-guard.js'
import { assertInteger, assertKnownOptions, assertOptionsObject, describe, withDefault } from './validate.js'

/** Options of {@link RateLimiter}; every one is optional. */
export interface RateLimiterOptions {
  /** Where state lives. @default a new MemoryStore() */
  readonly store?: Store
  /** One policy, or several decided together (all-or-nothing). @default fixedWindow({ limit: 100, windowMs: 60_000 }) */
  readonly policy?: Policy | readonly Policy[]
  /** Key namespace in the store; limiters sharing store, prefix and policy name share quota. @default 'rl' */
  readonly prefix?: string
  /** Deadline for the store's answer, in ms; past it `onStoreError` decides. @default 250 */
  readonly timeoutMs?: number
  /** When the store fails: let the request through, refuse it, or decide on a per-process MemoryStore. @default 'allow' */
  readonly onStoreError?: StoreFailurePolicy
  /** Told of every store failure. @default a console.error line, at most one per 10 s */
  readonly onError?: (error: unknown, key: string) => void
  /** Time in ms since the epoch, for every decision. @default the store's clock (Redis: the server's TIME) */
  readonly clock?: () => number
  /**
   * With `onStoreError: 'fallback'`: how many processes share the store. During an outage each
   * allows its share of every limit (100 across 4 instances: 25 each), so together they stay within it. @default 1
   */
  readonly instances?: number
  /** Stops calling a failing store for a cool-down (`false`: never). @default { failureThreshold: 5, cooldownMs: 500 } */
  readonly circuitBreaker?: CircuitBreakerOptions | false
  /**
   * Denies a key in-process, with no store round trip, until the time the store said it may retry.
   * `false` turns it off. @default on with { maxKeys: 10_000 } for every store but a MemoryStore
   */
  readonly blockCache?: { readonly maxKeys?: number } | boolean
  /**
   * Every refusal keeps the client refused for the window of the policy it broke, counted from that
   * refusal, so a client that keeps knocking stays out until it has waited a whole window
   * (Fastify's `continueExceeding`). Decided in the same atomic script call. @default false
   */
  readonly continueExceeding?: boolean
  /** Ban a client refused `afterRefusals` times in a row, for `durationMs` (growing for repeat offenders). */
  readonly ban?: BanOptions
  /**
   * Count each client's refusals in a row in the store (`result.refusals`: 1 on the first refusal
   * after an allowed request), as `ban` and `continueExceeding` do: what a hook on the first refusal
   * of a window needs. @default false, unless `ban` or `continueExceeding` is set
   */
  readonly countRefusals?: boolean
}

/** Per-call options of `consume` and `peek`. */
export interface ConsumeOptions {
  /** Units this request uses: a non-negative integer. @default 1 */
  readonly cost?: number
  /**
   * This request's limit, for a limiter of one policy: plans and tiers ("free 100 per minute, pro
   * 5,000"). The policy keeps its name, so its stored state: a client upgraded mid-window keeps what
   * it used (see the README, "Per-request limits"). @default the policy's limit
   */
  readonly limit?: number
  /** This request's window, for a limiter of one policy, as `limit`. @default the policy's window */
  readonly windowMs?: number
}

/** A call's options, checked: its cost and the limit and window it decides under, when given. */
export interface CallOptions {
  readonly cost: number
  readonly limit: number | undefined
  readonly windowMs: number | undefined
}

/** RateLimiter options, checked, with every default applied. */
export interface ResolvedLimiterOptions {
  readonly store: Store
  readonly policies: readonly Policy[]
  readonly prefix: string
  readonly timeoutMs: number
  readonly onStoreError: StoreFailurePolicy
  readonly onError: (error: unknown, key: string) => void
  readonly clock: (() => number) | undefined
  /** Processes sharing the store: the fallback store allows each its share of every limit. */
  readonly instances: number
  readonly circuitBreaker: ResolvedCircuitBreakerOptions | undefined
  readonly blockCache: BlockCache | undefined
  /** Undefined when the limiter has no penalties and counts no refusals. */
  readonly penalty: PenaltySettings | undefined
}

const OPTION_NAMES = ['store', 'policy', 'prefix', 'timeoutMs', 'onStoreError', 'onError', 'clock']
const RESILIENCE_OPTION_NAMES = ['instances', 'circuitBreaker', 'blockCache']
const PENALTY_OPTION_NAMES = ['continueExceeding', 'ban', 'countRefusals']
const FAILURE_POLICIES: readonly StoreFailurePolicy[] = ['allow', 'deny', 'fallback']

/** Checks every option (a RateLimitOptionsError names the first bad one) and applies the defaults. */
export function resolveLimiterOptions(options: RateLimiterOptions | undefined): ResolvedLimiterOptions {
  const given = assertOptionsObject(options, 'RateLimiter')
  assertKnownOptions(given, [...OPTION_NAMES, ...RESILIENCE_OPTION_NAMES, ...PENALTY_OPTION_NAMES], 'RateLimiter')
  const policies = readPolicies(given.policy)
  const store = readStore(given.store)
  const penalty = readPenaltyOptions(given, policies)
  if (penalty && store.penalties !== true)
    throw new RateLimitOptionsError(
      'Expected a store that applies penalties (a MemoryStore or a RedisStore) with `ban`, `continueExceeding` or `countRefusals`',
    )
  const onStoreError = readFailurePolicy(withDefault<unknown>(given.onStoreError, 'allow'))
  const instances = assertInteger(withDefault(given.instances, 1), 'instances', 1)
  if (instances > 1 && onStoreError !== 'fallback')
    throw new RateLimitOptionsError(
      "Expected `instances` only with onStoreError 'fallback', where it divides the limits",
    )
  return {
    policies,
    prefix: readPrefix(withDefault(given.prefix, 'rl')),
    store,
    timeoutMs: assertInteger(withDefault(given.timeoutMs, 250), 'timeoutMs', 1, 2_147_483_647),
    onStoreError,
    onError: readFunction(given.onError, 'onError') ?? createDefaultErrorLog(),
    clock: readFunction(given.clock, 'clock'),
    instances,
    circuitBreaker: readCircuitBreaker(given.circuitBreaker),
    blockCache: readBlockCache(given.blockCache, store, penalty !== undefined),
    penalty,
  }
}

/** Checks a call's key: any non-empty string. */
export function readKey(value: unknown): string {
  if (typeof value === 'string' && value.length > 0) return value
  throw new RateLimitOptionsError(`Expected \`key\` to be a non-empty string, got ${describe(value)}`)
}

const DEFAULT_CALL: CallOptions = Object.freeze({ cost: 1, limit: undefined, windowMs: undefined })

/** Checks a call's options: a cost (a non-negative integer, 1 by default), and a limit and window if given. */
export function readCallOptions(options: ConsumeOptions | undefined): CallOptions {
  if (options === undefined) return DEFAULT_CALL
  const given = assertOptionsObject(options, 'consume')
  assertKnownOptions(given, ['cost', 'limit', 'windowMs'], 'consume')
  return { cost: assertInteger(withDefault(given.cost, 1), 'cost', 0), limit: given.limit, windowMs: given.windowMs }
}

function readPolicies(value: Policy | readonly Policy[] | undefined): readonly Policy[] {
  const policies = value === undefined ? [fixedWindow({ limit: 100, windowMs: 60_000 })] : [value].flat()
  if (policies.length === 0)
    throw new RateLimitOptionsError('Expected `policy` to hold at least one policy, got an empty array')
  const names = new Set<string>()
  for (const policy of policies) {
    internalsOf(policy)
    if (names.has(policy.name))
      throw new RateLimitOptionsError(`Expected \`policy\` names to be unique, got "${policy.name}" twice`)
    names.add(policy.name)
  }
  return Object.freeze(policies)
}

function readPrefix(value: unknown): string {
  if (typeof value === 'string' && value.length > 0 && !/[{}]/.test(value)) return value
  throw new RateLimitOptionsError(`Expected \`prefix\` to be a non-empty string without { or }, got ${describe(value)}`)
}

function readStore(value: unknown): Store {
  if (value === undefined) return new MemoryStore()
  const store = value as Partial<Store> | null
  const methods = ['decide', 'refund', 'reset'] as const
  if (store && methods.every((method) => typeof store[method] === 'function')) return store as Store
  throw new RateLimitOptionsError(
    `Expected \`store\` to be a Store such as new RedisStore(...), got ${describe(value)}`,
  )
}

function readFailurePolicy(value: unknown): StoreFailurePolicy {
  if (FAILURE_POLICIES.includes(value as StoreFailurePolicy)) return value as StoreFailurePolicy
  throw new RateLimitOptionsError(
    `Expected \`onStoreError\` to be 'allow', 'deny' or 'fallback', got ${describe(value)}`,
  )
}

function readFunction<F>(value: F | undefined, option: string): F | undefined {
  if (value === undefined || typeof value === 'function') return value
  throw new RateLimitOptionsError(`Expected \`${option}\` to be a function, got ${describe(value)}`)
}

function readCircuitBreaker(
  value: CircuitBreakerOptions | false | undefined,
): ResolvedCircuitBreakerOptions | undefined {
  if (value === false) return undefined
  const given = assertOptionsObject(value, 'circuitBreaker')
  assertKnownOptions(given, ['failureThreshold', 'cooldownMs', 'onStateChange'], 'circuitBreaker')
  return {
    failureThreshold: assertInteger(withDefault(given.failureThreshold, 5), 'failureThreshold', 1),
    cooldownMs: assertInteger(withDefault(given.cooldownMs, 500), 'cooldownMs', 1, 2_147_483_647),
    onStateChange: readFunction(given.onStateChange, 'onStateChange'),
  }
}

function readBlockCache(
  value: { readonly maxKeys?: number } | boolean | undefined,
  store: Store,
  countsRefusals: boolean,
): BlockCache | undefined {
  // A memory store answers in-process already: a cache in front of it would only cost.
  if (value === false || (value === undefined && store instanceof MemoryStore)) return undefined
  const given = assertOptionsObject(value === true ? undefined : value, 'blockCache')
  assertKnownOptions(given, ['maxKeys'], 'blockCache')
  return new BlockCache(assertInteger(withDefault(given.maxKeys, 10_000), 'maxKeys', 1), countsRefusals)
}
