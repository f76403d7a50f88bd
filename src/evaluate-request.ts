import { applyPenalty, type PenaltyEvaluation, type PenaltyState } from './penalty.js'
import type { Algorithm, Evaluation, Policy } from './policy.js'
import type { StoreRequest } from './store.js'

/** A request decided from the states its keys hold: every policy's evaluation, and its penalty's. */
export interface RequestEvaluation {
  readonly evaluations: readonly Evaluation<unknown>[]
  /** Undefined when the request carries no penalties. */
  readonly penalty: PenaltyEvaluation | undefined
}

/**
 * Decides a request as the scripts do, from the state each policy's key holds (`stateOf(index)`,
 * undefined for none) and its penalty key's: the memory store's decision, and the Redis store's
 * figures from the states a script answered with. A client refused by a penalty in force is charged
 * nothing. As in lua/decide.lua, every policy decides charging, and the charges stand only if all
 * allowed: when one denies, the others' figures come again uncharged.
 */
export function evaluateRequest(
  { policies, cost, mode, penalty }: StoreRequest,
  algorithms: readonly Algorithm<unknown>[],
  stateOf: (index: number) => unknown,
  penaltyState: PenaltyState | undefined,
  nowMs: number,
): RequestEvaluation {
  const consumes = mode === 'consume'
  const charge = consumes && !(penalty !== undefined && penaltyState !== undefined && penaltyState.untilMs > nowMs)
  let evaluations = evaluateAll(policies, algorithms, stateOf, nowMs, cost, charge)
  let violatedMs = 0
  for (let index = 0; index < evaluations.length; index++)
    if (!(evaluations[index] as Evaluation<unknown>).allowed)
      violatedMs = Math.max(violatedMs, (policies[index] as Policy).windowMs)
  const allAllowed = violatedMs === 0
  if (charge && !allAllowed && policies.length > 1)
    evaluations = evaluateAll(policies, algorithms, stateOf, nowMs, cost, false)
  if (penalty === undefined) return { evaluations, penalty: undefined }
  return { evaluations, penalty: applyPenalty(penalty, penaltyState, nowMs, consumes, allAllowed, violatedMs) }
}

function evaluateAll(
  policies: readonly Policy[],
  algorithms: readonly Algorithm<unknown>[],
  stateOf: (index: number) => unknown,
  nowMs: number,
  cost: number,
  charge: boolean,
): Evaluation<unknown>[] {
  // Sized up front: an array grown by push would reserve room for 16 more on every decision.
  const evaluations = new Array<Evaluation<unknown>>(policies.length)
  for (let index = 0; index < policies.length; index++) {
    const algorithm = algorithms[index] as Algorithm<unknown>
    evaluations[index] = algorithm.evaluate(policies[index] as Policy, stateOf(index), nowMs, cost, charge)
  }
  return evaluations
}
