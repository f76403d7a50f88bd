import { evaluateRequest } from '../evaluate-request.js'
import { parsePenaltyState } from '../penalty.js'
import type { Algorithm, Policy, PolicyOutcome } from '../policy.js'
import type { StoreDecision, StoreRequest } from '../store.js'
import type { FrameAnswer } from './script-call.js'

/** The outcome in a standalone script's reply: allowed (1|0), remaining, resetAfterMs, retryAfterMs, nextQuotaMs. */
export function outcomeOfFigures(figures: readonly number[]): PolicyOutcome {
  const retryAfterMs = figures[3] as number
  return {
    allowed: figures[0] === 1,
    remaining: figures[1] as number,
    resetAfterMs: figures[2] as number,
    retryAfterMs: retryAfterMs < 0 ? Number.POSITIVE_INFINITY : retryAfterMs,
    nextQuotaMs: figures[4] as number,
  }
}

/**
 * The decision on a request that lua/decide.lua decided. The script sends its verdicts and the
 * states it read (its policies', then its penalty key's); the figures come from those states through
 * the same code the memory store runs, so Redis formats no number. A verdict the code does not reach
 * too would mean the two disagree: that throws rather than report figures the script did not act on.
 */
export function decisionOfStates(
  request: StoreRequest,
  algorithms: readonly Algorithm<unknown>[],
  { values, at, nowMs }: FrameAnswer,
): StoreDecision {
  const { policies, penalty: settings } = request
  // Stryker disable next-line ConditionalExpression,BlockStatement: the general path decides one policy the same, only slower
  if (policies.length === 1 && settings === undefined) {
    // One policy and no penalty, the most common request: evaluateRequest's work, with no list of
    // evaluations or result object of its own to make.
    const algorithm = algorithms[0] as Algorithm<unknown>
    const state = stateAt(values, at, algorithm)
    const outcome = algorithm.evaluate(policies[0] as Policy, state, nowMs, request.cost, request.mode === 'consume')
    assertSameVerdict(outcome, values, at, algorithm)
    return { nowMs, outcomes: [outcome], penalty: undefined }
  }
  const stateOf = (index: number) => stateAt(values, at + 2 * index, algorithms[index] as Algorithm<unknown>)
  const penaltyText = settings ? (values[at + 2 * policies.length] as string) : '-'
  const penaltyState = penaltyText === '-' ? undefined : parsePenaltyState(penaltyText)
  const { evaluations, penalty } = evaluateRequest(request, algorithms, stateOf, penaltyState, nowMs)
  for (let index = 0; index < policies.length; index++)
    assertSameVerdict(
      evaluations[index] as PolicyOutcome,
      values,
      at + 2 * index,
      algorithms[index] as Algorithm<unknown>,
    )
  return { nowMs, outcomes: evaluations, penalty }
}

/** The state the script read, after its verdict at `values[at]`: undefined for none (`-`). */
function stateAt(values: readonly string[], at: number, algorithm: Algorithm<unknown>): unknown {
  const text = values[at + 1] as string
  return text === '-' ? undefined : algorithm.parseState(text)
}

/** Throws unless the script's verdict at `values[at]` is the outcome's (the state it read follows it). */
function assertSameVerdict(
  outcome: PolicyOutcome,
  values: readonly string[],
  at: number,
  algorithm: Algorithm<unknown>,
) {
  if (outcome.allowed === (values[at] === '1')) return
  throw new Error(
    `atomic-ratelimit: the ${algorithm.name} script and its TypeScript twin disagree on "${values[at + 1]}"`,
  )
}
