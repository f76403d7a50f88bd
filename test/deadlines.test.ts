// Deadlines of one length sharing one timer (src/deadline.ts): each passes at its own time, a
// settlement in time disarms it, a late one is absorbed and runs no handler.
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it, vi } from 'vitest'
import { Deadlines, disarm } from '../src/deadline.js'
import { StoreTimeoutError } from '../src/errors.js'

describe('deadlines', () => {
  it('pass each at its own time, one after the other', async () => {
    const deadlines = new Deadlines(20)
    const missed: string[] = []
    const miss = (subject: string) => missed.push(subject)
    const now = performance.now()
    deadlines.arm(miss, 'first', now)
    deadlines.arm(miss, 'second', now + 400)
    const third = deadlines.arm(miss, 'third', now + 410)
    expect(disarm(third)).toBe(true)
    expect(disarm(third)).toBe(false)
    expect(disarm(undefined)).toBe(false)
    // Wide margins: a loaded machine may run a timer late, never early.
    await sleep(100)
    expect(missed).toEqual(['first'])
    await sleep(450)
    expect(missed).toEqual(['first', 'second'])
  })

  it('settle with the value in time, and with a timeout error past it, running no handler for a late answer', async () => {
    const deadlines = new Deadlines(20)
    const onValue = vi.fn((value: string) => `value ${value}`)
    const onError = vi.fn((error: unknown) => error)
    expect(await deadlines.settle(Promise.resolve('in time'), onValue, onError)).toBe('value in time')
    const late = (settle: 'resolve' | 'reject') =>
      sleep(50).then(() => (settle === 'resolve' ? 'late' : Promise.reject(new Error('late'))))
    expect(await deadlines.settle(late('resolve'), onValue, onError)).toBeInstanceOf(StoreTimeoutError)
    expect(await deadlines.settle(late('reject'), onValue, onError)).toBeInstanceOf(StoreTimeoutError)
    await sleep(60)
    expect(onValue).toHaveBeenCalledTimes(1)
    expect(onError).toHaveBeenCalledTimes(2)
    await expect(deadlines.race(sleep(50))).rejects.toThrow('The rate limit store did not answer within 20 ms')
  })
})
