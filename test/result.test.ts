import { describe, expect, it } from 'vitest'
import { fixedWindow, MemoryStore, type PolicyOutcome } from '../src/index.js'
import { ageResult, attachCharge, combineOutcomes, takeCharge } from '../src/result.js'

const policies = [
  fixedWindow({ limit: 10, windowMs: 1_000, name: 'a' }),
  fixedWindow({ limit: 20, windowMs: 60_000, name: 'b' }),
  fixedWindow({ limit: 30, windowMs: 3_600_000, name: 'c' }),
]
const outcome = (allowed: boolean, remaining: number, resetAfterMs: number, retryAfterMs = 0): PolicyOutcome => ({
  allowed,
  remaining,
  resetAfterMs,
  retryAfterMs,
  nextQuotaMs: resetAfterMs,
})
const decidedAtMs = 1_800_000_000_000

describe('combineOutcomes', () => {
  it('describes the allowed decision by the policy with the fewest units left', () => {
    const result = combineOutcomes(
      policies,
      [outcome(true, 5, 900), outcome(true, 3, 50_000), outcome(true, 4, 9)],
      false,
      decidedAtMs,
    )
    expect(result).toMatchObject({ allowed: true, policy: 'b', limit: 20, remaining: 3, resetAfterMs: 50_000 })
  })

  it('goes by units left before resets: fewer left wins, however soon it resets', () => {
    const result = combineOutcomes(
      policies.slice(0, 2),
      [outcome(true, 5, 900), outcome(true, 3, 10)],
      false,
      decidedAtMs,
    )
    expect(result.policy).toBe('b')
  })

  it('breaks a tie in units left by the later reset', () => {
    const result = combineOutcomes(
      policies,
      [outcome(true, 3, 900), outcome(true, 3, 50_000), outcome(true, 3, 9)],
      false,
      decidedAtMs,
    )
    expect(result.policy).toBe('b')
  })

  it('describes a denial by the denying policy that asks for the longest wait', () => {
    const result = combineOutcomes(
      policies,
      [outcome(false, 0, 900, 900), outcome(true, 0, 50_000), outcome(false, 1, 3_000_000, 3_000_000)],
      false,
      decidedAtMs,
    )
    expect(result).toMatchObject({ allowed: false, policy: 'c', remaining: 1, retryAfterMs: 3_000_000 })
    expect(result.policies.map((policy) => policy.allowed)).toEqual([false, true, false])
  })

  it("carries the decision time and the decisive policy's time until more quota", () => {
    const result = combineOutcomes(
      policies,
      [outcome(true, 5, 900), outcome(true, 3, 50_000), outcome(true, 4, 9)],
      false,
      decidedAtMs,
    )
    expect(result).toMatchObject({ decidedAtMs, nextQuotaMs: 50_000 })
    expect(result.policies.map((policy) => policy.nextQuotaMs)).toEqual([900, 50_000, 9])
  })

  it('carries the degraded flag', () => {
    expect(combineOutcomes(policies.slice(0, 1), [outcome(true, 1, 1)], true, decidedAtMs).degraded).toBe(true)
  })
})

describe('combineOutcomes, at the edges', () => {
  it('keeps the first of policies that tie in everything, allowed or denied', () => {
    const allowedTie = combineOutcomes(
      policies.slice(0, 2),
      [outcome(true, 3, 900), outcome(true, 3, 900)],
      false,
      decidedAtMs,
    )
    expect(allowedTie.policy).toBe('a')
    const deniedTie = [outcome(true, 9, 5), outcome(false, 0, 900, 700), outcome(false, 0, 800, 700)]
    expect(combineOutcomes(policies, deniedTie, false, decidedAtMs).policy).toBe('b')
  })

  it('never describes a denial by a policy that allowed, however few units it has left', () => {
    const result = combineOutcomes(
      policies,
      [outcome(true, 0, 50_000), outcome(false, 5, 10, 10), outcome(true, 0, 90_000)],
      false,
      decidedAtMs,
    )
    expect(result).toMatchObject({ allowed: false, policy: 'b', remaining: 5, retryAfterMs: 10 })
  })

  it('refuses while a penalty lasts, asking for the longer of its wait and the policy’s', () => {
    const one = policies.slice(0, 1)
    const penalty = (untilMs: number) => ({ untilMs, banned: true, refusals: 4 })
    const banned = combineOutcomes(one, [outcome(true, 5, 900)], false, decidedAtMs, penalty(decidedAtMs + 1))
    expect(banned).toMatchObject({ allowed: false, retryAfterMs: 1, banned: true, refusals: 4 })
    const longer = combineOutcomes(one, [outcome(false, 0, 900, 900)], false, decidedAtMs, penalty(decidedAtMs + 5))
    expect(longer.retryAfterMs).toBe(900)
    const over = combineOutcomes(one, [outcome(true, 5, 900)], false, decidedAtMs, penalty(decidedAtMs))
    expect(over).toMatchObject({ allowed: true, retryAfterMs: 0 })
    expect(combineOutcomes(one, [outcome(true, 5, 900)], false, decidedAtMs)).toMatchObject({
      banned: false,
      refusals: 0,
    })
  })
})

describe('a charge on a result', () => {
  const store = new MemoryStore()
  const allowedResult = () => combineOutcomes(policies.slice(0, 1), [outcome(true, 5, 900)], false, decidedAtMs)

  it('is handed out once, as recorded, dated when its result was decided', () => {
    const result = allowedResult()
    attachCharge(result, store, 'k', 2, policies)
    expect(takeCharge(result)).toEqual({ store, key: 'k', cost: 2, chargedAtMs: decidedAtMs, policies })
    expect(takeCharge(result)).toBeUndefined()
  })

  it('is never recorded on a denial, nor on a result the limiter did not make', () => {
    const denied = combineOutcomes(policies.slice(0, 1), [outcome(false, 0, 900, 900)], false, decidedAtMs)
    attachCharge(denied, store, 'k', 1, policies)
    expect(takeCharge(denied)).toBeUndefined()
    const copy = { ...allowedResult() }
    attachCharge(copy, store, 'k', 1, policies)
    expect(takeCharge(copy)).toBeUndefined()
  })
})

describe('ageResult', () => {
  it('moves every wait on by the time elapsed, never below 0, and counts no refusals', () => {
    const result = combineOutcomes(
      policies.slice(0, 2),
      [outcome(false, 0, 900, 900), outcome(true, 3, 50_000)],
      false,
      decidedAtMs,
      { untilMs: 0, banned: false, refusals: 2 },
    )
    const aged = ageResult(result, 1_000)
    expect(aged).toMatchObject({ resetAfterMs: 0, retryAfterMs: 0, nextQuotaMs: 0, decidedAtMs: decidedAtMs + 1_000 })
    expect(aged.refusals).toBe(0)
    expect(
      aged.policies.map(({ resetAfterMs, retryAfterMs, nextQuotaMs }) => [resetAfterMs, retryAfterMs, nextQuotaMs]),
    ).toEqual([
      [0, 0, 0],
      [49_000, 0, 49_000],
    ])
    expect(ageResult(result, 100)).toMatchObject({ resetAfterMs: 800, retryAfterMs: 800, nextQuotaMs: 800 })
  })
})
