import { fixedWindow } from './algorithms/fixed-window.js'
import { RateLimitOptionsError } from './errors.js'
import { MemoryStore } from './memory-store.js'
import { internalsOf, type Policy } from './policy.js'
import type { Store } from './store.js'
import { assertInteger, assertKnownOptions, assertOptionsObject, describe, withDefault } from './validate.js'

/** What a decision does when the store fails or misses `timeoutMs`. */
export type StoreFailurePolicy = 'allow' | 'deny' | 'fallback'

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
}

/** Per-call options of `consume` and `peek`. */
export interface ConsumeOptions {
  /** Units this request uses: a non-negative integer. @default 1 */
  readonly cost?: number
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
}

const OPTION_NAMES = ['store', 'policy', 'prefix', 'timeoutMs', 'onStoreError', 'onError', 'clock']
const FAILURE_POLICIES: readonly StoreFailurePolicy[] = ['allow', 'deny', 'fallback']

/** Checks every option (a RateLimitOptionsError names the first bad one) and applies the defaults. */
export function resolveLimiterOptions(options: RateLimiterOptions | undefined): ResolvedLimiterOptions {
  const given = assertOptionsObject(options, 'RateLimiter')
  assertKnownOptions(given, OPTION_NAMES, 'RateLimiter')
  return {
    policies: readPolicies(given.policy),
    prefix: readPrefix(withDefault(given.prefix, 'rl')),
    store: readStore(given.store),
    timeoutMs: assertInteger(withDefault(given.timeoutMs, 250), 'timeoutMs', 1, 2_147_483_647),
    onStoreError: readFailurePolicy(withDefault<unknown>(given.onStoreError, 'allow')),
    onError: readFunction(given.onError, 'onError') ?? createDefaultErrorLog(),
    clock: readFunction(given.clock, 'clock'),
  }
}

/** Checks a call's key: any non-empty string. */
export function readKey(value: unknown): string {
  if (typeof value === 'string' && value.length > 0) return value
  throw new RateLimitOptionsError(`Expected \`key\` to be a non-empty string, got ${describe(value)}`)
}

/** Checks a call's options and returns its cost: a non-negative integer, 1 by default. */
export function readCost(options: ConsumeOptions | undefined): number {
  const given = assertOptionsObject(options, 'consume')
  assertKnownOptions(given, ['cost'], 'consume')
  return assertInteger(withDefault(given.cost, 1), 'cost', 0)
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

/** Logs store failures to the console, at most once per 10 s, with a count of those left out. */
function createDefaultErrorLog(): (error: unknown) => void {
  let lastLoggedMs = Number.NEGATIVE_INFINITY
  let unlogged = 0
  return function logStoreError(error) {
    const nowMs = Date.now()
    if (nowMs - lastLoggedMs < 10_000) {
      unlogged++
      return
    }
    const since = unlogged > 0 ? ` (${unlogged} more failures since the last report)` : ''
    console.error(`atomic-ratelimit: the store failed, onStoreError decided${since}:`, error)
    lastLoggedMs = nowMs
    unlogged = 0
  }
}
