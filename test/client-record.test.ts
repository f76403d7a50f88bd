// What the memory store keeps per client (src/client-record.ts): a state per slot until it stops
// mattering, the first slot in the record itself, the others in one array, expired ones dropped.
import { describe, expect, it } from 'vitest'
import { ClientRecord } from '../src/client-record.js'

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

  it('writes a state of an earlier ms into the object it keeps, and replaces one of the same ms', () => {
    const record = new ClientRecord()
    const first = { window: 1, used: 1 }
    record.write('a', first, 1_000, 10)
    record.write('b', { used: 1 }, 1_000, 10)
    // Same ms: the object just stored is still young, so the new one takes its place.
    const sameMs = { window: 1, used: 2 }
    record.write('a', sameMs, 1_000, 10)
    expect(record.stateAt('a', 10)).toBe(sameMs)
    // A later ms: the kept object takes the new fields and stays.
    record.write('a', { window: 2, used: 1 }, 2_000, 11)
    expect(record.stateAt('a', 11)).toBe(sameMs)
    expect(sameMs).toEqual({ window: 2, used: 1 })
    expect(first).toEqual({ window: 1, used: 1 })
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

  it('replaces the state of a slot that has just taken the first place, within its ms', () => {
    const record = new ClientRecord()
    record.write('a', { used: 1 }, 5, 0)
    const taken = { used: 1 }
    record.write('b', taken, 1_000, 10)
    expect(record.firstSlot).toBe('b')
    const sameMs = { used: 2 }
    record.write('b', sameMs, 1_000, 10)
    expect(record.stateAt('b', 10)).toBe(sameMs)
    expect(taken).toEqual({ used: 1 })
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
})
