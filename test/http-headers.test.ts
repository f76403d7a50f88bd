import { parseList } from 'structured-headers'
import { describe, expect, it } from 'vitest'
import {
  draft6Headers,
  draft7Headers,
  draft8Headers,
  legacyHeaders,
  retryAfterSeconds,
  toSeconds,
} from '../src/http/headers.js'
import { serializeInteger, serializeItem, serializeString } from '../src/http/structured-fields.js'
import { fixedWindow, type PolicyResult, type RateLimitResult } from '../src/index.js'

const perMinute = fixedWindow({ limit: 100, windowMs: 60_000 })
const perDay = fixedWindow({ limit: 1_000, windowMs: 86_400_000, name: 'daily' })

const decidedAtMs = 1_700_000_000_500

function resultOf(...policies: PolicyResult[]): RateLimitResult {
  const decisive = policies.find((policy) => !policy.allowed) ?? (policies[0] as PolicyResult)
  const allowed = policies.every((policy) => policy.allowed)
  return { ...decisive, allowed, policies, degraded: false, decidedAtMs, banned: false, refusals: 0 }
}

/** A result of the per-minute policy; more quota comes `nextQuotaMs` on (by default, when it is whole again). */
const minuteLeft = (
  remaining: number,
  resetAfterMs: number,
  retryAfterMs = 0,
  nextQuotaMs = resetAfterMs,
): PolicyResult => ({
  policy: '100-per-60s',
  limit: 100,
  allowed: retryAfterMs === 0,
  remaining,
  resetAfterMs,
  retryAfterMs,
  nextQuotaMs,
})

describe('draft-8 headers', () => {
  it('writes the canonical form: one member per policy, no spaces around parameters', () => {
    const result = resultOf(minuteLeft(99, 41_200), { ...minuteLeft(999, 86_000_000), policy: 'daily', limit: 1_000 })
    expect(draft8Headers({ result, policies: [perMinute, perDay] })).toEqual([
      ['RateLimit-Policy', '"100-per-60s";q=100;w=60, "daily";q=1000;w=86400'],
      ['RateLimit', '"100-per-60s";r=99;t=42, "daily";r=999;t=86000'],
    ])
  })

  it('tells t as the time until more quota, not until the quota is whole again', () => {
    const result = resultOf(minuteLeft(0, 60_000, 0, 2_000))
    expect(draft8Headers({ result, policies: [perMinute] })[1]).toEqual(['RateLimit', '"100-per-60s";r=0;t=2'])
  })

  it('adds qu unless the unit is requests, and pk as a Byte Sequence', () => {
    const result = resultOf(minuteLeft(99, 60_000))
    const partitionKey = ':AQID+g==:' // the bytes 1, 2, 3, 250
    const headers = draft8Headers({ result, policies: [perMinute], partitionKey, quotaUnit: 'content-bytes' })
    const [policy, rateLimit] = headers.map(([, value]) => value)
    expect(policy).toBe('"100-per-60s";q=100;qu="content-bytes";w=60;pk=:AQID+g==:')
    expect(rateLimit).toBe('"100-per-60s";r=99;t=60;pk=:AQID+g==:')
    const [requests] = draft8Headers({ result, policies: [perMinute], quotaUnit: 'requests' })
    expect(requests?.[1]).toBe('"100-per-60s";q=100;w=60')
    expect(parseList(policy as string)[0]?.[1].get('qu')).toBe('content-bytes')
  })
})

describe('draft-7, draft-6 and legacy headers', () => {
  const result = resultOf(minuteLeft(7, 30_000, 0, 1_001))

  it('draft-7: unnamed policies and one dictionary for the most restrictive policy', () => {
    expect(draft7Headers({ result, policies: [perMinute, perDay] })).toEqual([
      ['RateLimit-Policy', '100;w=60, 1000;w=86400'],
      ['RateLimit', 'limit=100, remaining=7, reset=2'],
    ])
  })

  it('draft-6: a field each for limit, remaining and reset', () => {
    expect(draft6Headers({ result, policies: [perMinute] })).toEqual([
      ['RateLimit-Policy', '100;w=60'],
      ['RateLimit-Limit', '100'],
      ['RateLimit-Remaining', '7'],
      ['RateLimit-Reset', '2'],
    ])
  })

  it("RateLimit-Policy follows a policy list that is not frozen (a limiter's is, and is built once)", () => {
    const frozen = Object.freeze([perMinute])
    draft7Headers({ result, policies: frozen })
    expect(draft7Headers({ result, policies: frozen })[0]).toEqual(['RateLimit-Policy', '100;w=60'])
    const mutable = [perMinute]
    expect(draft6Headers({ result, policies: mutable })[0]).toEqual(['RateLimit-Policy', '100;w=60'])
    mutable.push(perDay)
    expect(draft6Headers({ result, policies: mutable })[0]).toEqual(['RateLimit-Policy', '100;w=60, 1000;w=86400'])
  })

  it('legacy: the instant more quota comes, from the decision time, in epoch seconds rounded up', () => {
    expect(legacyHeaders(result)).toEqual([
      ['X-RateLimit-Limit', '100'],
      ['X-RateLimit-Remaining', '7'],
      ['X-RateLimit-Reset', '1700000002'],
    ])
  })
})

describe('Retry-After', () => {
  it('rounds the wait up to whole seconds', () => {
    expect(retryAfterSeconds(resultOf(minuteLeft(0, 1_001, 1_001)), [perMinute])).toBe(2)
    expect(toSeconds(-5)).toBe(0)
  })

  it('is the wait of this request, not the time until the quota is whole again', () => {
    expect(retryAfterSeconds(resultOf(minuteLeft(0, 30_000, 2_000)), [perMinute])).toBe(2)
  })

  it('is the window of the violated policy when the cost can never pass', () => {
    const never = minuteLeft(100, 0, Number.POSITIVE_INFINITY)
    expect(retryAfterSeconds(resultOf(never), [perMinute])).toBe(60)
  })

  it('waits for the slowest of several violated policies and ignores those that allowed', () => {
    const daily = { ...minuteLeft(0, 7_200_000, 7_200_000), policy: 'daily', limit: 1_000 }
    expect(retryAfterSeconds(resultOf(minuteLeft(0, 5_000, 5_000), daily), [perMinute, perDay])).toBe(7_200)
    expect(retryAfterSeconds(resultOf(minuteLeft(50, 59_000), daily), [perMinute, perDay])).toBe(7_200)
  })
})

describe('structured field serialization', () => {
  it('writes Integers of up to 15 digits, and refuses longer ones naming the value', () => {
    expect(serializeInteger(999_999_999_999_999)).toBe('999999999999999')
    expect(serializeInteger(-999_999_999_999_999)).toBe('-999999999999999')
    expect(() => serializeInteger(1e15)).toThrow(
      'A structured field Integer must have at most 15 digits, got 1000000000000000',
    )
    expect(() => serializeInteger(1.5)).toThrow(RangeError)
  })

  it('escapes quotes and backslashes in Strings and refuses what a String cannot hold', () => {
    expect(serializeString('a"b\\c')).toBe('"a\\"b\\\\c"')
    expect(() => serializeString('ü')).toThrow(RangeError)
    expect(() => serializeItem(2 ** 60)).toThrow(RangeError)
    expect(() => serializeString('ü')).toThrow('A structured field String holds printable ASCII only, got "ü"')
    expect(serializeItem(0, { skipped: undefined, q: 1 })).toBe('0;q=1')
  })
})
