import { BoundedMap } from './bounded-map.js'
import { boundedKey } from './hash.js'
import { type Evaluation, internalsOf, type Policy } from './policy.js'
import type { Store, StoreDecision, StoreRefund, StoreRequest, StoreTarget } from './store.js'
import { assertInteger, assertKnownOptions, assertOptionsObject, withDefault } from './validate.js'

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Most keys held at once; past it the least recently charged key is forgotten. @default 100_000 */
  readonly maxKeys?: number
}

interface Entry {
  readonly state: unknown
  readonly expiresAtMs: number
}

/** Entries checked for expiry each time a new key arrives: sweeping costs O(1) per insert. */
const SWEPT_PER_INSERT = 2

/**
 * Rate limit state in this process: the default store. Decides exactly like {@link RedisStore}
 * (same algorithms, same results for the same trace of time, key and cost) but is not shared
 * between processes. Memory is bounded: expired keys are swept as new ones arrive, and `maxKeys`
 * caps the total.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ store: new MemoryStore({ maxKeys: 50_000 }) })
 * ```
 */
export class MemoryStore implements Store {
  readonly #entries: BoundedMap<Entry>
  #sweep: Iterator<[string, Entry]> | undefined

  constructor(options?: MemoryStoreOptions) {
    const given = assertOptionsObject(options, 'MemoryStore')
    assertKnownOptions(given, ['maxKeys'], 'MemoryStore')
    this.#entries = new BoundedMap(assertInteger(withDefault(given.maxKeys, 100_000), 'maxKeys', 1))
  }

  /** Number of keys held, expired ones included until they are swept. */
  get size(): number {
    return this.#entries.size
  }

  async decide(request: StoreRequest): Promise<StoreDecision> {
    return this.decideNow(request)
  }

  /** {@link decide}, synchronously: the limiter calls it directly, with no promise in between. */
  decideNow(request: StoreRequest): StoreDecision {
    const { policies, cost } = request
    const nowMs = request.nowMs ?? Date.now()
    const keys = policies.map((policy) => entryKey(request, policy))
    // As in lua/decide.lua: one policy decides in one pass; several are checked before any is charged.
    const charge = request.mode === 'consume'
    let evaluations = this.#evaluate(policies, keys, nowMs, cost, charge && policies.length === 1)
    if (charge && policies.length > 1 && evaluations.every((evaluation) => evaluation.allowed))
      evaluations = this.#evaluate(policies, keys, nowMs, cost, true)
    for (let index = 0; index < keys.length; index++) {
      const evaluation = evaluations[index] as Evaluation<unknown>
      if (evaluation.nextState !== undefined) this.#write(keys[index] as string, evaluation, nowMs)
    }
    return { nowMs, outcomes: evaluations }
  }

  async refund(refund: StoreRefund): Promise<void> {
    const nowMs = refund.nowMs ?? Date.now()
    for (const policy of refund.policies) {
      const key = entryKey(refund, policy)
      const entry = this.#entries.get(key)
      if (!entry || entry.expiresAtMs <= nowMs) continue
      const state = internalsOf(policy).algorithm.refund(policy, entry.state, nowMs, refund.chargedAtMs, refund.cost)
      if (state !== undefined) this.#entries.set(key, { state, expiresAtMs: entry.expiresAtMs })
    }
  }

  async reset(target: StoreTarget): Promise<void> {
    for (const policy of target.policies) this.#entries.delete(entryKey(target, policy))
  }

  #evaluate(
    policies: readonly Policy[],
    keys: readonly string[],
    nowMs: number,
    cost: number,
    charge: boolean,
  ): Evaluation<unknown>[] {
    const evaluations: Evaluation<unknown>[] = []
    for (let index = 0; index < policies.length; index++) {
      const policy = policies[index] as Policy
      const entry = this.#entries.get(keys[index] as string)
      const state = entry && entry.expiresAtMs > nowMs ? entry.state : undefined
      evaluations.push(internalsOf(policy).algorithm.evaluate(policy, state, nowMs, cost, charge))
    }
    return evaluations
  }

  #write(key: string, { nextState, expiresAtMs }: Evaluation<unknown>, nowMs: number): void {
    if (!this.#entries.has(key)) this.#sweepSome(nowMs)
    this.#entries.set(key, { state: nextState, expiresAtMs })
  }

  #sweepSome(nowMs: number): void {
    for (let checked = 0; checked < SWEPT_PER_INSERT; checked++) {
      this.#sweep ??= this.#entries.entries()
      const next = this.#sweep.next()
      if (next.done) {
        this.#sweep = undefined
        return
      }
      const [key, entry] = next.value
      if (entry.expiresAtMs <= nowMs) this.#entries.delete(key)
    }
  }
}

function entryKey({ prefix, key }: StoreTarget, policy: Policy): string {
  return `${prefix}\u0000${internalsOf(policy).storageName}\u0000${boundedKey(key)}`
}
