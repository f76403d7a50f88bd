import { BoundedMap, ResumableWalk } from './bounded-map.js'
import { boundedKey } from './hash.js'
import { type Evaluation, internalsOf, type Policy } from './policy.js'
import type { Store, StoreDecision, StoreRefund, StoreRequest, StoreTarget } from './store.js'
import { assertInteger, assertKnownOptions, assertOptionsObject, withDefault } from './validate.js'

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Most client keys held at once; past it the least recently charged is forgotten. @default 100_000 */
  readonly maxKeys?: number
}

/**
 * What is held for one client key: per slot (one prefix and policy), the state and when it stops
 * mattering, side by side in one array. One map entry per client, whatever the policies.
 */
class ClientRecord {
  referenced = false
  latestExpiryMs = 0
  /** `[state, expiresAtMs]` of slot n at 2n and 2n + 1. */
  readonly slots: unknown[] = []

  stateAt(slot: number, nowMs: number): unknown {
    return (this.slots[2 * slot + 1] as number) > nowMs ? this.slots[2 * slot] : undefined
  }
}

/** Records checked for expiry each time a new client arrives: sweeping costs O(1) per insert. */
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
  readonly #clients: BoundedMap<ClientRecord>
  /** Slot of each `<prefix>\0<storage name>`, in the order first seen. */
  readonly #slotNumbers = new Map<string, number>()
  /** The slots of a limiter's policies under its prefix, worked out once. */
  readonly #slotsByPolicies = new WeakMap<readonly Policy[], { prefix: string; slots: readonly number[] }>()
  readonly #sweep = new ResumableWalk(() => this.#clients.entries())

  constructor(options?: MemoryStoreOptions) {
    const given = assertOptionsObject(options, 'MemoryStore')
    assertKnownOptions(given, ['maxKeys'], 'MemoryStore')
    this.#clients = new BoundedMap(assertInteger(withDefault(given.maxKeys, 100_000), 'maxKeys', 1))
  }

  /** Number of client keys held, expired ones included until they are swept. */
  get size(): number {
    return this.#clients.size
  }

  async decide(request: StoreRequest): Promise<StoreDecision> {
    return this.decideNow(request)
  }

  /** {@link decide}, synchronously: the limiter calls it directly, with no promise in between. */
  decideNow(request: StoreRequest): StoreDecision {
    const { policies, cost } = request
    const nowMs = request.nowMs ?? Date.now()
    const slots = this.#slotsFor(request)
    const key = boundedKey(request.key)
    const record = this.#clients.get(key)
    // As in lua/decide.lua: one policy decides in one pass; several are checked before any is charged.
    const charge = request.mode === 'consume'
    let evaluations = evaluateAll(policies, slots, record, nowMs, cost, charge && policies.length === 1)
    if (charge && policies.length > 1 && evaluations.every((evaluation) => evaluation.allowed))
      evaluations = evaluateAll(policies, slots, record, nowMs, cost, true)
    if (charge) this.#write(key, record, slots, evaluations, nowMs)
    return { nowMs, outcomes: evaluations }
  }

  async refund(refund: StoreRefund): Promise<void> {
    const nowMs = refund.nowMs ?? Date.now()
    const slots = this.#slotsFor(refund)
    const record = this.#clients.get(boundedKey(refund.key))
    if (!record) return
    refund.policies.forEach((policy, index) => {
      const slot = slots[index] as number
      const stored = record.stateAt(slot, nowMs)
      if (stored === undefined) return
      const state = internalsOf(policy).algorithm.refund(policy, stored, nowMs, refund.chargedAtMs, refund.cost)
      if (state !== undefined) record.slots[2 * slot] = state
    })
  }

  async reset(target: StoreTarget): Promise<void> {
    const record = this.#clients.get(boundedKey(target.key))
    if (record) for (const slot of this.#slotsFor(target)) record.slots[2 * slot + 1] = 0
  }

  #slotsFor({ prefix, policies }: StoreTarget): readonly number[] {
    const known = this.#slotsByPolicies.get(policies)
    if (known?.prefix === prefix) return known.slots
    const slots = policies.map((policy) => {
      const name = `${prefix}\u0000${internalsOf(policy).storageName}`
      let slot = this.#slotNumbers.get(name)
      if (slot === undefined) {
        slot = this.#slotNumbers.size
        this.#slotNumbers.set(name, slot)
      }
      return slot
    })
    this.#slotsByPolicies.set(policies, { prefix, slots })
    return slots
  }

  #write(
    key: string,
    existing: ClientRecord | undefined,
    slots: readonly number[],
    evaluations: readonly Evaluation<unknown>[],
    nowMs: number,
  ): void {
    let record = existing
    for (let index = 0; index < evaluations.length; index++) {
      const { nextState, expiresAtMs } = evaluations[index] as Evaluation<unknown>
      if (nextState === undefined) continue
      if (!record) {
        this.#sweepSome(nowMs)
        record = new ClientRecord()
      }
      const slot = slots[index] as number
      record.slots[2 * slot] = nextState
      record.slots[2 * slot + 1] = expiresAtMs
      record.latestExpiryMs = Math.max(record.latestExpiryMs, expiresAtMs)
    }
    if (record) this.#clients.set(key, record)
  }

  #sweepSome(nowMs: number): void {
    for (let checked = 0; checked < SWEPT_PER_INSERT; checked++) {
      const entry = this.#sweep.next()
      if (!entry) return
      const [key, record] = entry
      if (record.latestExpiryMs <= nowMs) this.#clients.delete(key)
    }
  }
}

/** Every policy's evaluation of the stored states (expired ones read as none). */
function evaluateAll(
  policies: readonly Policy[],
  slots: readonly number[],
  record: ClientRecord | undefined,
  nowMs: number,
  cost: number,
  charge: boolean,
): Evaluation<unknown>[] {
  const evaluations: Evaluation<unknown>[] = []
  for (let index = 0; index < policies.length; index++) {
    const policy = policies[index] as Policy
    const slot = slots[index] as number
    const state = record?.stateAt(slot, nowMs)
    evaluations.push(internalsOf(policy).algorithm.evaluate(policy, state, nowMs, cost, charge))
  }
  return evaluations
}
