import type { Evictable } from './bounded-map.js'

/**
 * What a MemoryStore holds for one client key: per slot (one prefix and policy, named
 * `<prefix>\0<storage name>`) the state and when it stops mattering. One map entry per client,
 * whatever the policies and limiters. The first slot, the only one of most stores, lives in the
 * record itself, which saves a memory access per decision on a large map; the others share one
 * flat array, made when first needed. Slots are found by name, not by a number the store hands
 * out, and a slot whose state expired is dropped when the record is next written or swept: limiters
 * that come and go (one per tenant) leave nothing behind once their windows are over.
 */
export class ClientRecord implements Evictable {
  referenced = false
  /** When the last of the slots' states stops mattering: the whole record may go then. */
  latestExpiryMs = 0
  firstSlot: string | undefined = undefined
  firstState: unknown = undefined
  firstExpiresAtMs = 0
  /** Every other slot as three entries in turn: its name, its state, and when that expires. */
  otherSlots: unknown[] | undefined = undefined
  /** When the last of the other slots' states stops mattering: the array may go then. */
  otherSlotsExpiryMs = 0
  /** When the first slot's state was last written: one of an earlier ms is renewed in place (see {@link renewed}). */
  firstWrittenAtMs = 0

  /** The slot's state at `nowMs`; undefined when it has none, or none that still matters. */
  stateAt(slot: string, nowMs: number): unknown {
    if (this.firstSlot === slot) return this.firstExpiresAtMs > nowMs ? this.firstState : undefined
    const others = this.otherSlots
    const at = indexOfSlot(others, slot)
    return at >= 0 && ((others as unknown[])[at + 2] as number) > nowMs ? (others as unknown[])[at + 1] : undefined
  }

  /** Stores the slot's state until `expiresAtMs`, dropping the slots that expired by `nowMs`. */
  write(slot: string, state: unknown, expiresAtMs: number, nowMs: number): void {
    if (expiresAtMs > this.latestExpiryMs) this.latestExpiryMs = expiresAtMs
    this.dropExpired(nowMs)
    if (this.firstSlot === slot) {
      this.firstState = renewed(this.firstState, state, this.firstWrittenAtMs < nowMs)
      this.firstExpiresAtMs = expiresAtMs
      this.firstWrittenAtMs = nowMs
      return
    }
    const others = this.otherSlots
    const at = indexOfSlot(others, slot)
    if (at < 0 && this.firstExpiresAtMs <= nowMs) {
      // The first slot's state no longer matters: the place is free, and the quickest to reach.
      this.firstSlot = slot
      this.firstState = state
      this.firstExpiresAtMs = expiresAtMs
      this.firstWrittenAtMs = nowMs
      return
    }
    if (at >= 0) {
      ;(others as unknown[])[at + 1] = renewed((others as unknown[])[at + 1], state, true)
      ;(others as unknown[])[at + 2] = expiresAtMs
    } else if (others) {
      keepLive(others, nowMs)
      others.push(slot, state, expiresAtMs)
    } else this.otherSlots = [slot, state, expiresAtMs]
    this.otherSlotsExpiryMs = Math.max(this.otherSlotsExpiryMs, expiresAtMs)
  }

  /** Replaces the slot's state, keeping its expiry. */
  replaceState(slot: string, state: unknown): void {
    if (this.firstSlot === slot) this.firstState = state
    else {
      const at = indexOfSlot(this.otherSlots, slot)
      if (at >= 0) (this.otherSlots as unknown[])[at + 1] = state
    }
  }

  /** Drops the slot's state: it reads as none from now on. */
  expire(slot: string): void {
    if (this.firstSlot === slot) this.firstExpiresAtMs = 0
    else {
      const at = indexOfSlot(this.otherSlots, slot)
      if (at >= 0) (this.otherSlots as unknown[])[at + 2] = 0
    }
  }

  /** Lets go of the other slots once none of their states matters at `nowMs` (O(1)). */
  dropExpired(nowMs: number): void {
    if (this.otherSlots && this.otherSlotsExpiryMs <= nowMs) this.otherSlots = undefined
  }
}

/**
 * What a slot holds once `next` replaces `stored`: for a state `settled` (written in an earlier
 * millisecond), `stored` itself given `next`'s fields, when both are objects (the states of a slot
 * come from one algorithm, with the same fields every time); else `next`. A fresh object per write
 * outlived the young generation whenever its client came back after a collection: copying it out,
 * and the collections that took, cost a sixth of a decision's time over 100,000 keys. The first
 * slot's state rewritten within its millisecond (a hot key) is still young, and cheaper replaced
 * than copied; the other slots, only a record of several policies or limiters has, are always
 * renewed (a copy costs about 40 ns), which spares them a time of their own.
 */
function renewed(stored: unknown, next: unknown, settled: boolean): unknown {
  return settled && isObject(stored) && isObject(next) ? Object.assign(stored, next) : next
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null
}

function indexOfSlot(others: readonly unknown[] | undefined, slot: string): number {
  if (others === undefined) return -1
  for (let at = 0; at < others.length; at += 3) if (others[at] === slot) return at
  return -1
}

/** Removes, in place, the slots whose state expired by `nowMs`. */
function keepLive(others: unknown[], nowMs: number): void {
  let kept = 0
  for (let at = 0; at < others.length; at += 3) {
    if ((others[at + 2] as number) <= nowMs) continue
    others.copyWithin(kept, at, at + 3)
    kept += 3
  }
  others.length = kept
}
