import { BoundedMap, ResumableWalk } from './bounded-map.js'
import { ClientRecord } from './client-record.js'
import { evaluateRequest } from './evaluate-request.js'
import { boundedKey } from './hash.js'
import type { PenaltyEvaluation, PenaltyState } from './penalty.js'
import { type Algorithm, type Evaluation, internalsOf, type Policy, type StatePacking } from './policy.js'
import type { Store, StoreDecision, StoreRefund, StoreRequest, StoreTarget } from './store.js'
import { assertInteger, assertKnownOptions, assertOptionsObject, withDefault } from './validate.js'

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Most client keys held at once; past it the least recently charged is forgotten. @default 100_000 */
  readonly maxKeys?: number
}

/** Where a limiter's policies live in a ClientRecord (under its prefix) and what decides each. */
interface Layout {
  readonly prefix: string
  /** Per policy, its slot's name: `<prefix>\0<storage name>`, the same for every limiter that shares its quota. */
  readonly slots: readonly string[]
  readonly algorithms: readonly Algorithm<unknown>[]
  /** The penalty key's slot, `<prefix>\0!penalty`, when the limiter has penalties. */
  readonly penaltySlot: string | undefined
}

/**
 * Most limiter layouts remembered at once: more limiters than this, taking turns on one store,
 * work their slot names out again now and then (two short strings per policy).
 */
const MOST_LAYOUTS = 1_024

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
  /** Bans and continueExceeding are decided in the same synchronous step as the policies. */
  readonly penalties = true
  readonly #clients: BoundedMap<ClientRecord>
  /**
   * The layout of a limiter's policies (its own frozen list) under its prefix, worked out once.
   * Bounded, not weak: limiters made per tenant come by the thousand, and a WeakMap's table keeps
   * the size it grew to after they are gone. Past {@link MOST_LAYOUTS} it starts again, empty.
   */
  readonly #layouts = new Map<readonly Policy[], Layout>()
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
    const nowMs = request.nowMs ?? Date.now()
    const layout = this.#layoutOf(request)
    const key = boundedKey(request.key)
    const record = this.#clients.get(key)
    const { slots, penaltySlot } = layout
    // Stryker disable next-line ConditionalExpression: the general path decides one policy the same, only slower
    if (slots.length === 1 && penaltySlot === undefined) return this.#decideOne(request, layout, key, record, nowMs)
    // Stryker disable next-line ConditionalExpression: a record holds no state under an undefined slot name
    const penaltyState = penaltySlot === undefined ? undefined : record?.stateAt(penaltySlot, nowMs)
    const { evaluations, penalty } = evaluateRequest(
      request,
      layout.algorithms,
      (index) => record?.stateAt(slots[index] as string, nowMs),
      penaltyState as PenaltyState | undefined,
      nowMs,
    )
    // Stryker disable next-line ConditionalExpression: a peek's evaluations carry no next state, so writing them writes nothing
    if (request.mode === 'consume') this.#write(key, record, layout, evaluations, penalty, nowMs)
    return { nowMs, outcomes: evaluations, penalty }
  }

  /**
   * One policy and no penalty, the most common request: decided with no closure or list to build,
   * which a decision of a few hundred ns would otherwise spend a third of its time collecting.
   */
  #decideOne(
    { policies, cost, mode }: StoreRequest,
    { slots, algorithms }: Layout,
    key: string,
    record: ClientRecord | undefined,
    nowMs: number,
  ): StoreDecision {
    const slot = slots[0] as string
    const algorithm = algorithms[0] as Algorithm<unknown>
    const evaluation = algorithm.evaluate(
      policies[0] as Policy,
      record?.stateAt(slot, nowMs),
      nowMs,
      cost,
      mode === 'consume',
    )
    if (evaluation.nextState !== undefined) {
      if (!record) this.#add(key, nowMs).write(slot, evaluation.nextState, evaluation.expiresAtMs, nowMs, algorithm)
      else {
        this.#clients.rewritten(record)
        record.write(slot, evaluation.nextState, evaluation.expiresAtMs, nowMs, algorithm)
      }
    }
    return { nowMs, outcomes: [evaluation], penalty: undefined }
  }

  async refund(refund: StoreRefund): Promise<void> {
    const nowMs = refund.nowMs ?? Date.now()
    const { slots, algorithms } = this.#layoutOf(refund)
    const record = this.#clients.get(boundedKey(refund.key))
    if (!record) return
    refund.policies.forEach((policy, index) => {
      const slot = slots[index] as string
      const stored = record.stateAt(slot, nowMs)
      if (stored === undefined) return
      const algorithm = algorithms[index] as Algorithm<unknown>
      const state = algorithm.refund(policy, stored, nowMs, refund.chargedAtMs, refund.cost)
      if (state !== undefined) record.replaceState(slot, state)
    })
  }

  async reset(target: StoreTarget): Promise<void> {
    const record = this.#clients.get(boundedKey(target.key))
    if (!record) return
    const { slots, penaltySlot } = this.#layoutOf(target)
    for (const slot of slots) record.expire(slot)
    // Stryker disable next-line ConditionalExpression: a record holds nothing under an undefined slot name to expire
    if (penaltySlot !== undefined) record.expire(penaltySlot)
  }

  #layoutOf({ prefix, policies, penalty }: StoreTarget): Layout {
    const known = this.#layouts.get(policies)
    // Stryker disable next-line ConditionalExpression: a cache: a layout worked out again is the same layout
    if (known?.prefix === prefix) return known
    const slots = policies.map((policy) => `${prefix}\u0000${internalsOf(policy).storageName}`)
    const algorithms = policies.map((policy) => internalsOf(policy).algorithm)
    const layout = { prefix, slots, algorithms, penaltySlot: penalty ? `${prefix}\u0000!penalty` : undefined }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the cache's bound, held by test/memory-tenants.test.ts on the built package (out of Stryker's reach); clearing sooner only costs
    if (this.#layouts.size >= MOST_LAYOUTS) this.#layouts.clear()
    this.#layouts.set(policies, layout)
    return layout
  }

  /** Stores what a consuming decision charged, and its penalty state (a `null` one goes). */
  #write(
    key: string,
    existing: ClientRecord | undefined,
    { slots, algorithms, penaltySlot }: Layout,
    evaluations: readonly Evaluation<unknown>[],
    penalty: PenaltyEvaluation | undefined,
    nowMs: number,
  ): void {
    let record = existing
    const writeSlot = (slot: string, state: unknown, expiresAtMs: number, packing?: StatePacking<unknown>) => {
      if (!record) record = this.#add(key, nowMs)
      else if (record === existing) this.#clients.rewritten(record)
      record.write(slot, state, expiresAtMs, nowMs, packing)
    }
    for (let index = 0; index < evaluations.length; index++) {
      const { nextState, expiresAtMs } = evaluations[index] as Evaluation<unknown>
      if (nextState !== undefined) writeSlot(slots[index] as string, nextState, expiresAtMs, algorithms[index])
    }
    if (penalty?.nextState === undefined) return
    // Stryker disable next-line ConditionalExpression: a limiter's decisions have a penalty exactly when it has a penalty slot
    if (penaltySlot === undefined) return
    // A run of refusals that ended leaves a `null` state, dated 0 (applyPenalty): written expired, it reads as none.
    writeSlot(penaltySlot, penalty.nextState, penalty.expiresAtMs)
  }

  /** A new client's record, after sweeping a few that expired by `nowMs`. */
  #add(key: string, nowMs: number): ClientRecord {
    this.#sweepSome(nowMs)
    const record = new ClientRecord()
    this.#clients.set(key, record)
    return record
  }

  #sweepSome(nowMs: number): void {
    for (let checked = 0; checked < SWEPT_PER_INSERT; checked++) {
      const entry = this.#sweep.next()
      if (!entry) return
      const [key, record] = entry
      if (record.latestExpiryMs <= nowMs) this.#clients.delete(key)
      else record.dropExpired(nowMs)
    }
  }
}
