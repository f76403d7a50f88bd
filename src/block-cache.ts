import { BoundedMap } from './bounded-map.js'
import { boundedKey } from './hash.js'
import type { Policy } from './policy.js'
import { ageResult, type RateLimitResult } from './result.js'

interface Block {
  referenced: boolean
  /** The policies the store denied under: a request under other limits (an upgraded plan) is not blocked. */
  readonly policies: readonly Policy[]
  /** The denial the store gave, as of `decidedAtMs`. */
  readonly result: RateLimitResult
  readonly decidedAtMs: number
  /** Requests costing at least this much cannot pass before `untilMs`. */
  readonly cost: number
  readonly untilMs: number
}

/**
 * Remembers, per client key, that the store denied a cost until some time, so that requests of at
 * least that cost are denied in-process until then, with no store round trip. Bounded: at most
 * `maxKeys` blocks, the oldest forgotten first. A denial served from here repeats the store's
 * figures with its waits counted down; `remaining` may lag a refill meanwhile. A refund or reset
 * made by another process does not reach it: such a key stays blocked here until its time is up.
 */
export class BlockCache {
  readonly #blocks: BoundedMap<Block>
  /** Only bans are held: every other refusal must reach the store, which counts it (penalties). */
  readonly #bansOnly: boolean

  constructor(maxKeys: number, bansOnly = false) {
    this.#blocks = new BoundedMap(maxKeys)
    this.#bansOnly = bansOnly
  }

  /** The store's denial, aged to `nowMs`, if `key` is blocked for `cost` under `policies` at `nowMs`. */
  denial(key: string, policies: readonly Policy[], cost: number, nowMs: number): RateLimitResult | undefined {
    const mapKey = boundedKey(key)
    const block = this.#blocks.get(mapKey)
    if (!block) return undefined
    if (nowMs >= block.untilMs || block.policies !== policies) {
      this.#blocks.delete(mapKey)
      return undefined
    }
    return cost >= block.cost ? ageResult(block.result, nowMs - block.decidedAtMs) : undefined
  }

  /**
   * Learns from a store decision: a denial blocks the key until its retry time, or until any
   * policy gets more quota if that comes first, since the figures it repeats would be stale then
   * (counted from `sentAtMs`, when the request left: the store decided at or after it, so the block
   * never outlasts either); an allowed charge drops the key's block, whose figures it made stale.
   */
  record(key: string, policies: readonly Policy[], cost: number, sentAtMs: number, result: RateLimitResult): void {
    if (result.allowed) {
      if (cost > 0 && this.#blocks.size > 0) this.forget(key)
      return
    }
    const blockMs = Math.min(result.retryAfterMs, earliestMoreQuotaMs(result))
    if (result.degraded || !Number.isFinite(blockMs) || blockMs <= 0 || (this.#bansOnly && !result.banned)) return
    this.#blocks.set(boundedKey(key), {
      referenced: true,
      policies,
      result,
      decidedAtMs: sentAtMs,
      cost,
      untilMs: sentAtMs + blockMs,
    })
  }

  /** Forgets the key's block (after a refund or reset, which may free quota). */
  forget(key: string): void {
    this.#blocks.delete(boundedKey(key))
  }

  /** Number of blocks held. */
  get size(): number {
    return this.#blocks.size
  }
}

/** The soonest any policy of the result has more quota (Infinity when every one is whole). */
function earliestMoreQuotaMs({ policies }: RateLimitResult): number {
  let earliestMs = Number.POSITIVE_INFINITY
  for (const { nextQuotaMs } of policies) if (nextQuotaMs > 0 && nextQuotaMs < earliestMs) earliestMs = nextQuotaMs
  return earliestMs
}
