import { fixedWindow } from './algorithms/fixed-window.js'
import { withDeadline } from './deadline.js'
import { RateLimitOptionsError } from './errors.js'
import { MemoryStore } from './memory-store.js'
import { internalsOf, type Policy, type PolicyOutcome } from './policy.js'
import { combineOutcomes, type RateLimitResult } from './result.js'
import type { Store, StoreRequest } from './store.js'
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

const OPTION_NAMES = ['store', 'policy', 'prefix', 'timeoutMs', 'onStoreError', 'onError', 'clock']
const FAILURE_POLICIES: readonly StoreFailurePolicy[] = ['allow', 'deny', 'fallback']
/** How long a client refused by `onStoreError: 'deny'` is told to wait (or the window, if shorter). */
const DENIED_RETRY_AFTER_MS = 1_000

/**
 * Decides whether a client may act: atomically, under one or more policies, in one store call.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ policy: fixedWindow({ limit: 10, windowMs: 60_000 }) })
 * const result = await limiter.consume(`login:${ip}`)
 * if (!result.allowed) console.log(`retry in ${result.retryAfterMs} ms`)
 * ```
 */
export class RateLimiter {
  /** The policies, in the order given. */
  readonly policies: readonly Policy[]
  /** The key namespace. */
  readonly prefix: string
  readonly #store: Store
  readonly #timeoutMs: number
  readonly #onStoreError: StoreFailurePolicy
  readonly #onError: (error: unknown, key: string) => void
  readonly #clock: (() => number) | undefined
  #fallbackStore: MemoryStore | undefined

  constructor(options?: RateLimiterOptions) {
    const given = assertOptionsObject(options, 'RateLimiter')
    assertKnownOptions(given, OPTION_NAMES, 'RateLimiter')
    this.policies = readPolicies(given.policy)
    this.prefix = readPrefix(withDefault(given.prefix, 'rl'))
    this.#store = readStore(given.store)
    this.#timeoutMs = assertInteger(withDefault(given.timeoutMs, 250), 'timeoutMs', 1, 2_147_483_647)
    this.#onStoreError = readFailurePolicy(withDefault<unknown>(given.onStoreError, 'allow'))
    this.#onError = readFunction(given.onError, 'onError') ?? createDefaultErrorLog()
    this.#clock = readFunction(given.clock, 'clock')
  }

  /** Charges `cost` (default 1) under every policy if all allow it; charges nothing otherwise. */
  consume(key: string, options?: ConsumeOptions): Promise<RateLimitResult> {
    return this.#decide(key, options, 'consume')
  }

  /** Reports what `consume` would decide for `cost` (default 1), charging nothing. */
  peek(key: string, options?: ConsumeOptions): Promise<RateLimitResult> {
    return this.#decide(key, options, 'peek')
  }

  /** Forgets the key under every policy. Rejects (after `onError`) if the store fails. */
  async reset(key: string): Promise<void> {
    const target = { prefix: this.prefix, key: readKey(key), policies: this.policies }
    try {
      await withDeadline(this.#store.reset(target), this.#timeoutMs)
    } catch (error) {
      this.#report(error, key)
      throw error
    }
  }

  async #decide(
    key: string,
    options: ConsumeOptions | undefined,
    mode: StoreRequest['mode'],
  ): Promise<RateLimitResult> {
    const request: StoreRequest = {
      prefix: this.prefix,
      key: readKey(key),
      policies: this.policies,
      cost: readCost(options),
      mode,
      nowMs: this.#now(),
    }
    try {
      const { outcomes } = await withDeadline(this.#store.decide(request), this.#timeoutMs)
      return combineOutcomes(this.policies, outcomes, false)
    } catch (error) {
      this.#report(error, key)
      return this.#decideWithoutStore(request)
    }
  }

  async #decideWithoutStore(request: StoreRequest): Promise<RateLimitResult> {
    if (this.#onStoreError === 'fallback') {
      this.#fallbackStore ??= new MemoryStore()
      const { outcomes } = await this.#fallbackStore.decide(request)
      return combineOutcomes(this.policies, outcomes, true)
    }
    const allowed = this.#onStoreError === 'allow'
    const outcomes = this.policies.map(({ limit, windowMs }): PolicyOutcome => {
      const waitMs = allowed ? 0 : Math.min(windowMs, DENIED_RETRY_AFTER_MS)
      return { allowed, remaining: allowed ? limit : 0, resetAfterMs: waitMs, retryAfterMs: waitMs }
    })
    return combineOutcomes(this.policies, outcomes, true)
  }

  #now(): number | undefined {
    if (!this.#clock) return undefined
    const nowMs = this.#clock()
    if (typeof nowMs !== 'number' || !Number.isFinite(nowMs) || nowMs < 0)
      throw new RateLimitOptionsError(
        `Expected \`clock\` to return milliseconds since the epoch, got ${describe(nowMs)}`,
      )
    return Math.floor(nowMs)
  }

  #report(error: unknown, key: string): void {
    try {
      this.#onError(error, key)
    } catch (callbackError) {
      console.error('atomic-ratelimit: the onError callback threw', callbackError)
    }
  }
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
  if (store && typeof store.decide === 'function' && typeof store.reset === 'function') return store as Store
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

function readKey(value: unknown): string {
  if (typeof value === 'string' && value.length > 0) return value
  throw new RateLimitOptionsError(`Expected \`key\` to be a non-empty string, got ${describe(value)}`)
}

function readCost(options: ConsumeOptions | undefined): number {
  const given = assertOptionsObject(options, 'consume')
  assertKnownOptions(given, ['cost'], 'consume')
  return assertInteger(withDefault(given.cost, 1), 'cost', 0)
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
