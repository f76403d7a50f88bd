/** What a BoundedMap holds: values that carry the eviction mark themselves, so no wrapper is needed. */
export interface Evictable {
  /** Written since the eviction cursor last passed: spared once (the CLOCK algorithm). */
  referenced: boolean
}

/**
 * A Map of at most `maxKeys` entries. A new key past the bound pushes out one that was not written
 * since the eviction cursor last came by: close to least recently written, at O(1), without
 * reordering the Map on every write.
 */
export class BoundedMap<V extends Evictable> {
  readonly #maxKeys: number
  readonly #slots = new Map<string, V>()
  /** Kept between evictions: a fresh iterator would walk again over every slot freed at the front. */
  readonly #cursor = new ResumableWalk(() => this.#slots.entries())

  constructor(maxKeys: number) {
    this.#maxKeys = maxKeys
  }

  get size(): number {
    return this.#slots.size
  }

  get(key: string): V | undefined {
    return this.#slots.get(key)
  }

  has(key: string): boolean {
    return this.#slots.has(key)
  }

  delete(key: string): boolean {
    return this.#slots.delete(key)
  }

  /** Writes `value` under `key`; a new key past the bound evicts another first. */
  set(key: string, value: V): void {
    const known = this.#slots.has(key)
    // A key is spared for being written again, not for having just arrived.
    value.referenced = known
    if (!known && this.#slots.size >= this.#maxKeys) this.#evictOne()
    this.#slots.set(key, value)
  }

  /** Records that `value`, already held, was written again in place: it is spared once from eviction. */
  rewritten(value: V): void {
    value.referenced = true
  }

  /** Entries in insertion order; safe to delete from while iterating. */
  entries(): MapIterator<[string, V]> {
    return this.#slots.entries()
  }

  #evictOne(): void {
    // Two rounds at most: the first may only clear the marks of keys written since the last pass.
    for (let visited = 0; visited <= 2 * this.#slots.size; visited++) {
      const entry = this.#cursor.next()
      if (!entry) continue
      const [key, slot] = entry
      if (!slot.referenced) {
        this.#slots.delete(key)
        return
      }
      slot.referenced = false
    }
  }
}

/** Walks a map's entries over many calls, each call going on from where the one before stopped. */
export class ResumableWalk<V> {
  readonly #entries: () => Iterator<[string, V]>
  #iterator: Iterator<[string, V]> | undefined

  constructor(entries: () => Iterator<[string, V]>) {
    this.#entries = entries
  }

  /** The next entry; `undefined` at the end of a lap, and the call after starts the next lap. */
  next(): [string, V] | undefined {
    this.#iterator ??= this.#entries()
    const next = this.#iterator.next()
    if (!next.done) return next.value
    this.#iterator = undefined
    return undefined
  }
}
