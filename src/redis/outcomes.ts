import type { Algorithm, Policy, PolicyOutcome } from '../policy.js'
import type { StoreRequest } from '../store.js'
import type { FrameAnswer } from './coalescer.js'

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
 * it read; the figures come from those states through the same code the memory store runs (charged
 * when the script charged), so Redis formats no number. A verdict the code does not reach too would
 * mean the two disagree: that throws rather than report figures the script did not act on.
 */
export function outcomesOfStates(
  { policies, mode, cost }: StoreRequest,
  algorithms: readonly Algorithm<unknown>[],
  { values, at, nowMs }: FrameAnswer,
): PolicyOutcome[] {
  let allAllowed = true
  for (let index = 0; index < policies.length; index++) allAllowed &&= values[at + 2 * index] === '1'
  const charged = mode === 'consume' && allAllowed
  const outcomes = new Array<PolicyOutcome>(policies.length)
  for (let index = 0; index < policies.length; index++) {
    const text = values[at + 2 * index + 1] as string
    const algorithm = algorithms[index] as Algorithm<unknown>
    const state = text === '-' ? undefined : algorithm.parseState(text)
    const outcome = algorithm.evaluate(policies[index] as Policy, state, nowMs, cost, charged)
    if (outcome.allowed !== (values[at + 2 * index] === '1'))
      throw new Error(`atomic-ratelimit: the ${algorithm.name} script and its TypeScript twin disagree on "${text}"`)
    outcomes[index] = outcome
  }
  return outcomes
}
