// What the memory store keeps per client (src/client-record.ts): a state per slot until it stops
// mattering, the first slot in the record itself, the others in one array, expired ones dropped.
import { describe, expect, it } from 'vitest'
import { ClientRecord } from '../src/client-record.js'
import { fixedWindow, gcra, slidingWindow, tokenBucket } from '../src/index.js'
import { internalsOf, type Policy, type StatePacking } from '../src/policy.js'

describe('a client record', () => {
  it('reads a slot state until the very ms it expires', () => {
    const record = new ClientRecord()
    record.write('a', 'A', 100, 0)
    record.write('b', 'B', 200, 0)
    expect([record.stateAt('a', 99), record.stateAt('a', 100)]).toEqual(['A', undefined])
    expect([record.stateAt('b', 199), record.stateAt('b', 200)]).toEqual(['B', undefined])
    expect(record.stateAt('c', 0)).toBeUndefined()
    expect(record.latestExpiryMs).toBe(200)
    record.write('a', 'A2', 50, 10)
    expect(record.latestExpiryMs).toBe(200)
  })

  it('gives the first place to a new slot once the first one expired, and keeps the others apart', () => {
    const record = new ClientRecord()
    record.write('a', 'A', 100, 0)
    record.write('b', 'B', 300, 50)
    expect(record.otherSlots).toEqual(['b', 'B', 300])
    record.write('c', 'C', 400, 100)
    expect([record.firstSlot, record.firstState]).toEqual(['c', 'C'])
    expect(record.otherSlots).toEqual(['b', 'B', 300])
    expect(record.stateAt('a', 100)).toBeUndefined()
  })

  it('updates another slot in place, and drops the expired others when a new one comes', () => {
    const record = new ClientRecord()
    record.write('a', 'A', 1_000, 0)
    record.write('b', 'B', 10, 0)
    record.write('c', 'C', 100, 0)
    record.write('c', 'C2', 150, 5)
    expect(record.otherSlots).toEqual(['b', 'B', 10, 'c', 'C2', 150])
    record.write('d', 'D', 200, 10)
    expect(record.otherSlots).toEqual(['c', 'C2', 150, 'd', 'D', 200])
    expect(record.otherSlotsExpiryMs).toBe(200)
  })

  it('lets go of the other slots the very ms the last of them expires', () => {
    const record = new ClientRecord()
    record.write('a', 'A', 1_000, 0)
    record.write('b', 'B', 100, 0)
    record.dropExpired(99)
    expect(record.otherSlots).toEqual(['b', 'B', 100])
    record.dropExpired(100)
    expect(record.otherSlots).toBeUndefined()
    expect(record.stateAt('a', 100)).toBe('A')
  })

  it('replaces a state keeping its expiry, and expires a slot on demand', () => {
    const record = new ClientRecord()
    record.write('a', 'A', 100, 0)
    record.write('b', 'B', 100, 0)
    record.replaceState('a', 'A2')
    record.replaceState('b', 'B2')
    record.replaceState('c', 'C')
    expect([record.stateAt('a', 99), record.stateAt('b', 99), record.stateAt('c', 0)]).toEqual(['A2', 'B2', undefined])
    record.expire('a')
    record.expire('b')
    record.expire('c')
    expect([record.stateAt('a', 0), record.stateAt('b', 0)]).toEqual([undefined, undefined])
    expect(record.referenced).toBe(false)
  })

  it('writes every object state of the first slot into the object it keeps', () => {
    const record = new ClientRecord()
    const first = { untilMs: 1, refusals: 1 }
    record.write('a', first, 1_000, 10)
    record.write('a', { untilMs: 1, refusals: 2 }, 1_000, 10)
    record.write('a', { untilMs: 2, refusals: 3 }, 2_000, 11)
    expect(record.stateAt('a', 11)).toBe(first)
    expect(first).toEqual({ untilMs: 2, refusals: 3 })
  })

  it('writes every state of another slot into the object it keeps, in the same ms too', () => {
    const record = new ClientRecord()
    record.write('a', { used: 1 }, 1_000, 10)
    const other = { used: 1 }
    record.write('b', other, 1_000, 10)
    record.write('b', { used: 2 }, 1_000, 10)
    expect(record.stateAt('b', 10)).toBe(other)
    record.write('b', { used: 3 }, 1_000, 12)
    expect(record.stateAt('b', 12)).toBe(other)
    expect(other).toEqual({ used: 3 })
  })

  it('replaces an object state of the first slot with the one given, not a copy into the old one', () => {
    const record = new ClientRecord()
    const stored = { untilMs: 5 }
    record.write('a', stored, 1_000, 0)
    const refunded = { untilMs: 3 }
    record.replaceState('a', refunded)
    expect(record.stateAt('a', 0)).toBe(refunded)
    expect(stored).toEqual({ untilMs: 5 })
  })

  it('keeps the state of a slot that takes the first place in an object of its own', () => {
    const record = new ClientRecord()
    const expired = { used: 1 }
    record.write('a', expired, 5, 0)
    const taken = { used: 1 }
    record.write('b', taken, 1_000, 10)
    expect(record.firstSlot).toBe('b')
    record.write('b', { used: 2 }, 1_000, 10)
    expect(record.stateAt('b', 10)).toBe(taken)
    expect([taken, expired]).toEqual([{ used: 2 }, { used: 1 }])
  })

  it('replaces a state that is not an object, or with one that is not, whenever it was written', () => {
    const record = new ClientRecord()
    record.write('a', 5, 1_000, 0)
    record.write('a', { untilMs: 9 }, 1_000, 1)
    expect(record.stateAt('a', 1)).toEqual({ untilMs: 9 })
    record.write('a', null, 1_000, 2)
    expect(record.stateAt('a', 2)).toBeNull()
    const kept = { untilMs: 3 }
    record.write('a', kept, 1_000, 3)
    expect(record.stateAt('a', 3)).toBe(kept)
    record.write('a', 7, 1_000, 4)
    expect(record.stateAt('a', 4)).toBe(7)
    expect(kept).toEqual({ untilMs: 3 })
  })

  it('writes a slot held among the others in its place there, even once the first slot has expired', () => {
    const record = new ClientRecord()
    record.write('a', 'A', 100, 0)
    record.write('b', 'B', 1_000, 0)
    record.write('b', 'B2', 1_000, 200)
    expect([record.firstSlot, record.otherSlots]).toEqual(['a', ['b', 'B2', 1_000]])
  })

  it('keeps a packed state in its numbers, not in an object, and hands out a new one each read', () => {
    const record = new ClientRecord()
    const state = { window: 7, used: 3 }
    record.write('a', state, 1_000, 0, packing)
    expect([record.firstState, record.packedA, record.packedB]).toEqual([undefined, 7, 3])
    const read = record.stateAt('a', 999)
    expect(read).toEqual(state)
    expect(read).not.toBe(state)
    expect(record.stateAt('a', 999)).not.toBe(read)
    expect(record.stateAt('a', 1_000)).toBeUndefined()
    record.write('a', { window: 7, used: 4 }, 1_000, 1, packing)
    record.replaceState('a', { window: 7, used: 2 })
    expect(record.stateAt('a', 2)).toEqual({ window: 7, used: 2 })
    expect(record.firstExpiresAtMs).toBe(1_000)
  })

  it('gives the first place of an expired packed state to an object state, and back', () => {
    const record = new ClientRecord()
    record.write('a', { window: 1, used: 1 }, 10, 0, packing)
    const penalty = { untilMs: 50 }
    record.write('!', penalty, 100, 20)
    expect([record.firstSlot, record.firstPacking, record.stateAt('!', 20)]).toEqual(['!', undefined, penalty])
    expect(record.stateAt('!', 20)).toBe(penalty)
    record.write('b', { window: 2, used: 5 }, 300, 100, packing)
    expect([record.firstSlot, record.firstState, record.stateAt('b', 100)]).toEqual([
      'b',
      undefined,
      { window: 2, used: 5 },
    ])
    record.write('c', { window: 3, used: 1 }, 400, 100, packing)
    expect(record.otherSlots).toEqual(['c', { window: 3, used: 1 }, 400])
  })

  it('packs and unpacks the state of every algorithm as it was', () => {
    const states: [Policy, unknown][] = [
      [fixedWindow({ limit: 5, windowMs: 1_000 }), { window: 1_765_000_000, used: 4 }],
      [fixedWindow({ limit: 5, windowMs: 1_000, anchor: 'first-request' }), { startMs: 1_765_000_000_123, used: 2 }],
      [slidingWindow({ limit: 5, windowMs: 1_000 }), { window: 1_765_000_000, current: 3, previous: 5 }],
      [tokenBucket({ limit: 5, windowMs: 1_000 }), { parts: 4_321, atMs: 1_765_000_000_123 }],
      [gcra({ limit: 5, windowMs: 1_000 }), 1_765_000_000_123_456],
    ]
    for (const [policy, state] of states) {
      const record = new ClientRecord()
      record.write('a', state, 1_000, 0, internalsOf(policy).algorithm)
      expect(record.stateAt('a', 0)).toEqual(state)
    }
  })
})

/** A packing of `{ window, used }` states, as the fixed window's. */
const packing: StatePacking<unknown> = {
  pack: (state, into) => {
    const { window, used } = state as { window: number; used: number }
    into.packedA = window
    into.packedB = used
  },
  unpack: ({ packedA, packedB }) => ({ window: packedA, used: packedB }),
}
