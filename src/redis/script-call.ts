import type { Algorithm } from '../policy.js'
import type { LuaScript } from './script.js'

// What the store hands the coalescer for each request, and what comes back: see coalescer.ts.

/** A limiter's policies as lua/decide.lua takes them, worked out once. */
export interface PolicyList {
  /** The script for these policies' algorithms, which takes the lists in ARGV. */
  readonly script: LuaScript
  /** The script that carries this list in its source: for a call of this list alone (see ownListScript). */
  readonly ownScript: LuaScript | undefined
  readonly algorithms: readonly Algorithm<unknown>[]
  /** The policy count, then per policy: algorithm, limit, windowMs, burst; then the penalty settings or `-`. */
  readonly args: readonly string[]
  /** Whether the list has penalties: the script then carries lua/penalty.lua. */
  readonly penalized: boolean
}

/** One request for lua/decide.lua, waiting to be sent alone or with others. */
export interface ScriptCall {
  /** Calls that may share a script call: same Cluster slot, same injected time. */
  readonly group: string
  /** Rejects with a StoreTimeoutError when no answer has come this long after the call; undefined: no deadline. */
  readonly timeoutMs: number | undefined
  /** ARGV[1]: the injected time, or '' for the server's. */
  readonly nowArg: string
  readonly list: PolicyList
  /** One key per policy. */
  readonly keys: string[]
  readonly mode: 'consume' | 'peek' | 'refund'
  /** The cost as text. */
  readonly cost: string
  /** For a refund, when the charge was decided, as text; undefined otherwise. */
  readonly chargedAt: string | undefined
  /** How many reply values the request takes: two per policy (verdict and state), one more with penalties, none for a refund. */
  readonly replyLength: number
  /** For one policy consuming: its algorithm's own script, which it runs when alone in its batch. */
  readonly standalone: StandalonePolicy | undefined
}

/**
 * One policy as its algorithm's own script (lua/<algorithm>.lua) takes it, the least work Redis can
 * do: the script, and the policy's ARGV values as text (made once per policy, not per request).
 */
export interface StandalonePolicy {
  readonly script: LuaScript
  readonly limit: string
  readonly windowMs: string
  /** Undefined when it equals the limit, the script's default. */
  readonly burst: string | undefined
}

/** A call's share of a reply, decided at the server's `nowMs`. */
export type ScriptAnswer = FrameAnswer | StandaloneAnswer

/** What every answer carries. */
interface AnswerBase {
  readonly nowMs: number
  /**
   * The calls that shared the script call, given only while store calls are traced: an answer
   * without it is one field smaller, for every decision nobody watches.
   */
  readonly batchSize?: number
}

/** From lua/decide.lua: per policy, from `values[at]` on, the verdict (`'1'` or `'0'`) and the key's state. */
export interface FrameAnswer extends AnswerBase {
  readonly values: readonly string[]
  readonly at: number
}

/** From an algorithm's own script: allowed (1|0), remaining, resetAfterMs, retryAfterMs (-1: never), nextQuotaMs. */
export interface StandaloneAnswer extends AnswerBase {
  readonly figures: readonly number[]
}

/**
 * Sends a script with its KEYS and ARGV (and sends it again on NOSCRIPT); `readOnly` when every
 * request of the call peeks, so it may run as a read-only function.
 */
export type SendScript = (script: LuaScript, keys: string[], args: string[], readOnly: boolean) => Promise<unknown>
