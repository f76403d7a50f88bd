import { storedFields } from './policy.js'

/** Options of a limiter's ban: a client refused this many times in a row is refused outright for a while. */
export interface BanOptions {
  /** Consecutive refusals that start a ban: a positive integer. */
  readonly afterRefusals: number
  /** How long a first ban lasts, in ms. @default the longest window of the limiter's policies */
  readonly durationMs?: number
  /** Each later ban lasts this many times as long as the one before (repeat offenders): 1 to 100. @default 1 */
  readonly growthFactor?: number
  /** The longest a grown ban lasts, in ms. @default 100 times `durationMs` */
  readonly maxDurationMs?: number
  /** How long past the end of its last ban a client's bans are remembered, for growth, in ms. @default 86_400_000 */
  readonly forgetAfterMs?: number
}

/** A limiter's penalties, checked, with their defaults applied: what stores apply in the decision's script. */
export interface PenaltySettings {
  /** Every refusal keeps the client refused for the window of the policy it broke, from that refusal. */
  readonly continueExceeding: boolean
  readonly ban: Required<BanOptions> | undefined
  /** How long a run of refusals is remembered with no other refusal: the longest window of the policies. */
  readonly refusalsKeptMs: number
}

/** Why a client is refused whatever its policies say: a block of continueExceeding, or a ban. */
export enum PenaltyKind {
  None = 0,
  Block = 1,
  Ban = 2,
}

/**
 * A client's penalty state, one key per client and prefix: refusals in a row, refused until `untilMs`
 * for `kind`, bans so far, and how long each refusal extends a block; and the instants the run of
 * refusals and the bans are forgotten at. What is forgotten is read from these instants, never from
 * a TTL, so that an injected clock, the memory store and Redis agree; the TTL only collects garbage.
 */
export interface PenaltyState {
  readonly refusals: number
  readonly untilMs: number
  readonly kind: PenaltyKind
  readonly offenses: number
  readonly blockMs: number
  readonly refusalsEndMs: number
  readonly offensesEndMs: number
}

/** What the penalty part of a decision adds to the policies' verdicts. */
export interface PenaltyOutcome {
  /** Refused until then whatever the policies say (0: not refused by a penalty). */
  readonly untilMs: number
  /** The refusal is a ban (one in force, or one this request started). */
  readonly banned: boolean
  /** Refusals in a row, this one included; 0 for an allowed request or one refused by a ban in force. */
  readonly refusals: number
}

/** A decision's penalty: its outcome and, when the state changed, what to store until `expiresAtMs`. */
export interface PenaltyEvaluation extends PenaltyOutcome {
  /** The state to store; undefined when nothing changes, `null` when the key goes. */
  readonly nextState: PenaltyState | null | undefined
  readonly expiresAtMs: number
}

const NO_PENALTY: PenaltyState = {
  refusals: 0,
  untilMs: 0,
  kind: PenaltyKind.None,
  offenses: 0,
  blockMs: 0,
  refusalsEndMs: 0,
  offensesEndMs: 0,
}

/** The penalty key's part after the client's tag: `!` cannot start a policy name, so no policy's key can be it. */
export const PENALTY_KEY_SUFFIX = '}:!penalty'

/** The state from its stored text: its seven fields, in the order of {@link PenaltyState}, joined by `:`. */
export function parsePenaltyState(text: string): PenaltyState {
  const fields = storedFields(text, 7)
  const [refusals, untilMs, kind, offenses, blockMs, refusalsEndMs, offensesEndMs] = fields as [
    number,
    number,
    PenaltyKind,
    number,
    number,
    number,
    number,
  ]
  return { refusals, untilMs, kind, offenses, blockMs, refusalsEndMs, offensesEndMs }
}

/** The settings as one ARGV value for lua/penalty.lua: `<continue 0|1>:<afterRefusals>:<durationMs>:<growth>:<maxMs>:<forgetMs>:<keptMs>`. */
export function penaltyArg({ continueExceeding, ban, refusalsKeptMs }: PenaltySettings): string {
  const banFields = ban
    ? [ban.afterRefusals, ban.durationMs, ban.growthFactor, ban.maxDurationMs, ban.forgetAfterMs]
    : [0, 0, 1, 0, 0]
  return [continueExceeding ? 1 : 0, ...banFields, refusalsKeptMs].join(':')
}

/**
 * Applies the penalties to a decision, as lua/penalty.lua does: a ban in force refuses and records
 * nothing; otherwise a refusal (by the policies, or by a block that continueExceeding keeps) counts
 * one more in a row, sets or extends the block, and starts a ban at `afterRefusals`; an allowed
 * request ends the run. `violatedWindowMs` is the longest window of the policies that refused.
 * `charge` false (a peek) reports without changing anything.
 */
export function applyPenalty(
  settings: PenaltySettings,
  stored: PenaltyState | undefined,
  nowMs: number,
  charge: boolean,
  policiesAllowed: boolean,
  violatedWindowMs: number,
): PenaltyEvaluation {
  const state = stored ? current(stored, nowMs) : NO_PENALTY
  const blocked = state.untilMs > nowMs
  if (blocked && state.kind === PenaltyKind.Ban)
    return { untilMs: state.untilMs, banned: true, refusals: 0, nextState: undefined, expiresAtMs: 0 }
  if (policiesAllowed && !blocked) {
    const cleared = state.refusals === 0 && state.kind === PenaltyKind.None
    const next = cleared || !charge ? undefined : endRun(state)
    return { untilMs: 0, banned: false, refusals: 0, nextState: next, expiresAtMs: next ? expiryOf(next, nowMs) : 0 }
  }
  const refusals = state.refusals + 1
  let next: PenaltyState = { ...state, refusals, refusalsEndMs: nowMs + settings.refusalsKeptMs }
  if (settings.continueExceeding) {
    const blockMs = blocked ? state.blockMs : violatedWindowMs
    next = { ...next, kind: PenaltyKind.Block, untilMs: nowMs + blockMs, blockMs }
  }
  const { ban } = settings
  const bans = ban !== undefined && refusals >= ban.afterRefusals
  if (bans) {
    const offenses = state.offenses + 1
    const durationMs = Math.min(ban.maxDurationMs, Math.floor(ban.durationMs * ban.growthFactor ** (offenses - 1)))
    const untilMs = nowMs + durationMs
    next = { ...NO_PENALTY, untilMs, kind: PenaltyKind.Ban, offenses, offensesEndMs: untilMs + ban.forgetAfterMs }
  }
  return {
    untilMs: next.untilMs > nowMs ? next.untilMs : 0,
    banned: bans,
    refusals,
    nextState: charge ? next : undefined,
    expiresAtMs: expiryOf(next, nowMs),
  }
}

/** The state as it reads at `nowMs`: a run of refusals, and bans, past the instants they are forgotten at, are gone. */
function current(state: PenaltyState, nowMs: number): PenaltyState {
  const runOver = state.refusals > 0 && nowMs >= state.refusalsEndMs
  const bansForgotten = state.offenses > 0 && nowMs >= state.offensesEndMs
  if (!runOver && !bansForgotten) return state
  return { ...state, refusals: runOver ? 0 : state.refusals, offenses: bansForgotten ? 0 : state.offenses }
}

/** The state once a run of refusals ends: only the bans remembered for growth, or nothing. */
function endRun(state: PenaltyState): PenaltyState | null {
  if (state.offenses === 0) return null
  return { ...NO_PENALTY, untilMs: state.untilMs, offenses: state.offenses, offensesEndMs: state.offensesEndMs }
}

/** When a state stops mattering: its block or ban over, its run of refusals and its bans forgotten. */
function expiryOf(state: PenaltyState, nowMs: number): number {
  const refusalsEndMs = state.refusals > 0 ? state.refusalsEndMs : 0
  const offensesEndMs = state.offenses > 0 ? state.offensesEndMs : 0
  return Math.max(state.untilMs, refusalsEndMs, offensesEndMs, nowMs + 1)
}
