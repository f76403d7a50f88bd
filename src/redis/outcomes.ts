import { evaluateRequest } from '../evaluate-request.js'
import { parsePenaltyState } from '../penalty.js'
import type { Algorithm, PolicyOutcome } from '../policy.js'
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
 * The outcomes of a request that lua/decide.lua decided. The script sends its verdicts and the states
 * it read (its policies', then its penalty key's); the figures come from those states through the
 * same code the memory store runs, so Redis formats no number. A verdict the code does not reach too
 * would mean the two disagree: that throws rather than report figures the script did not act on.
 */
export function outcomesOfStates(
  request: StoreRequest,
  algorithms: readonly Algorithm<unknown>[],
  { values, at, nowMs }: FrameAnswer,
): Pick<StoreDecision, 'outcomes' | 'penalty'> {
  const count = request.policies.length
  const stateOf = (index: number): unknown => {
    const text = values[at + 2 * index + 1] as string
    return text === '-' ? undefined : (algorithms[index] as Algorithm<unknown>).parseState(text)
  }
  const penaltyText = request.penalty ? (values[at + 2 * count] as string) : '-'
  const penaltyState = penaltyText === '-' ? undefined : parsePenaltyState(penaltyText)
  const { evaluations, penalty } = evaluateRequest(request, algorithms, stateOf, penaltyState, nowMs)
  for (let index = 0; index < count; index++)
    if ((evaluations[index] as PolicyOutcome).allowed !== (values[at + 2 * index] === '1'))
      throw new Error(
        `atomic-ratelimit: the ${(algorithms[index] as Algorithm<unknown>).name} script and its TypeScript twin disagree on "${values[at + 2 * index + 1]}"`,
      )
  return { outcomes: evaluations, penalty }
}
