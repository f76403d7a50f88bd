import { describe, expect, it } from 'vitest'
import { fixedWindow, gcra, RedisStore } from '../src/index.js'
import { integersIn } from '../src/integer-text.js'
import { internalsOf, storedFields } from '../src/policy.js'
import { decisionOfStates } from '../src/redis/outcomes.js'

describe('integersIn', () => {
  it('reads integers, signed or not, between separators', () => {
    expect(integersIn('1 -1 0 1800000000000', 32)).toEqual([1, -1, 0, 1_800_000_000_000])
  })

  it.each(['', ' 1', '1 ', '1  2', '1 -', '--1', '1-2', '1.5', '1e3'])('refuses "%s"', (text) => {
    expect(integersIn(text, 32)).toBeUndefined()
  })
})

describe('a standalone script answer that is not six integers', () => {
  it('rejects the decision with the answer in the message', async () => {
    const client = {
      status: 'ready',
      evalsha: async () => '1 2 oops',
      eval: async () => '',
      call: async () => '',
      del: async () => 0,
    }
    const store = new RedisStore({ client, coalesce: false })
    const policy = fixedWindow({ limit: 5, windowMs: 60_000 })
    const request = { prefix: 'rl', key: 'k', policies: [policy], cost: 1, mode: 'consume' as const, nowMs: undefined }
    await expect(store.decide(request)).rejects.toThrow('"1 2 oops", not six integers')
  })
})

describe('a batch whose answer one request cannot read', () => {
  it('rejects that request alone: the others of its script call are decided', async () => {
    const client = {
      status: 'ready',
      // The first request goes alone, as its algorithm's script; the next two share one call.
      evalsha: async (_sha: string, keyCount: number) =>
        keyCount === 1 ? '1 4 1000 0 1000 1800000000000' : '1800000000000 1 - 1 not-a-state',
      eval: async () => '',
      call: async () => '',
      del: async () => 0,
    }
    const store = new RedisStore({ client })
    const policies = [fixedWindow({ limit: 5, windowMs: 60_000 })]
    const request = (key: string) => ({
      prefix: 'rl',
      key,
      policies,
      cost: 1,
      mode: 'consume' as const,
      nowMs: undefined,
    })
    const [alone, read, unreadable] = await Promise.allSettled(['a', 'b', 'c'].map((key) => store.decide(request(key))))
    expect(alone).toMatchObject({ status: 'fulfilled', value: { outcomes: [{ allowed: true, remaining: 4 }] } })
    expect(read).toMatchObject({ status: 'fulfilled', value: { outcomes: [{ allowed: true, remaining: 4 }] } })
    expect(unreadable).toMatchObject({ status: 'rejected' })
  })
})

describe('storedFields', () => {
  it('reads the whole numbers of a state', () => {
    expect(storedFields('30000000:7', 2)).toEqual([30_000_000, 7])
    expect(storedFields('1800000000000000', 1)).toEqual([1_800_000_000_000_000])
  })

  it.each([
    ['', 1],
    ['12:', 2],
    [':12', 1],
    ['1::2', 2],
    ['1:2:3', 2],
    ['1e+17', 1],
    ['-5', 1],
    ['7:-3', 2],
    ['-3:7', 2],
    ['12 ', 1],
  ])('refuses "%s" for %d field(s), naming it', (text, count) => {
    expect(() => storedFields(text, count)).toThrow(`"${text}"`)
  })
})

describe('decisionOfStates', () => {
  const policy = fixedWindow({ limit: 5, windowMs: 60_000 })
  const algorithms = [internalsOf(policy).algorithm]
  const nowMs = 1_800_000_000_000 // the first ms of window 30_000_000
  const consume = { prefix: 'rl', key: 'k', policies: [policy], cost: 1, mode: 'consume' as const, nowMs }
  const answer = (values: string[]) => ({ values: ['', ...values], at: 1, nowMs })

  it('derives the figures from the state the script read, charged when the script charged', () => {
    expect(decisionOfStates(consume, algorithms, answer(['1', '30000000:3'])).outcomes).toEqual([
      expect.objectContaining({ allowed: true, remaining: 1, resetAfterMs: 60_000, retryAfterMs: 0 }),
    ])
    expect(decisionOfStates(consume, algorithms, answer(['1', '-'])).outcomes).toEqual([
      expect.objectContaining({ allowed: true, remaining: 4 }),
    ])
    const peek = { ...consume, mode: 'peek' as const }
    expect(decisionOfStates(peek, algorithms, answer(['1', '30000000:3'])).outcomes).toEqual([
      expect.objectContaining({ allowed: true, remaining: 2 }),
    ])
  })

  it('charges none of several policies when the script refused one', () => {
    const perSecond = gcra({ limit: 1, windowMs: 1_000 })
    const both = { ...consume, policies: [policy, perSecond] }
    const tatUs = String((nowMs + 1_000) * 1000) // the one unit per second is taken
    const { outcomes } = decisionOfStates(both, [...algorithms, internalsOf(perSecond).algorithm], {
      values: ['', '1', '30000000:3', '0', tatUs],
      at: 1,
      nowMs,
    })
    expect(outcomes.map(({ allowed, remaining }) => ({ allowed, remaining }))).toEqual([
      { allowed: true, remaining: 2 },
      { allowed: false, remaining: 0 },
    ])
  })

  it('throws when the script and the TypeScript twin disagree, rather than report a verdict not acted on', () => {
    expect(() => decisionOfStates(consume, algorithms, answer(['0', '30000000:3']))).toThrow(/disagree/)
  })

  it('throws when they disagree on any one of several policies, naming its algorithm and state', () => {
    const perSecond = gcra({ limit: 1, windowMs: 1_000 })
    const both = { ...consume, policies: [policy, perSecond] }
    const tatUs = String((nowMs + 1_000) * 1000) // the one unit per second is taken: gcra refuses
    const decide = (secondVerdict: string) => () =>
      decisionOfStates(both, [...algorithms, internalsOf(perSecond).algorithm], {
        values: ['', '1', '30000000:3', secondVerdict, tatUs],
        at: 1,
        nowMs,
      })
    expect(decide('1')).toThrow(`the gcra script and its TypeScript twin disagree on "${tatUs}"`)
    expect(decide('0')).not.toThrow()
  })
})
