import { describe, expect, it } from 'vitest'
import { fixedWindow, type PolicyOutcome } from '../src/index.js'
import { combineOutcomes } from '../src/result.js'

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
