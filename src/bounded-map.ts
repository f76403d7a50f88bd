/**
 * A Map of at most `maxKeys` entries, ordered by last write: writing a key moves it to the back,
 * and a new key past the bound pushes out the least recently written one.
 */
export class BoundedMap<V> {
  readonly #maxKeys: number
  readonly #entries = new Map<string, V>()
  /** Kept between evictions: a fresh iterator would walk again over every slot freed at the front. */
  #evictionCursor: Iterator<string> | undefined

  constructor(maxKeys: number) {
    this.#maxKeys = maxKeys
  }

  get size(): number {
    return this.#entries.size
  }

  get(key: string): V | undefined {
    return this.#entries.get(key)
  }

  has(key: string): boolean {
    return this.#entries.has(key)
  }

  delete(key: string): boolean {
    return this.#entries.delete(key)
  }

  /** Writes `value`, moving `key` to the back; evicts the oldest key when a new one overflows. */
  set(key: string, value: V): void {
    if (!this.#entries.delete(key) && this.#entries.size >= this.#maxKeys) this.#evictOldest()
    this.#entries.set(key, value)
  }

  /** Entries from the oldest written; safe to delete from while iterating. */
  entries(): MapIterator<[string, V]> {
    return this.#entries.entries()
  }

  #evictOldest(): void {
    this.#evictionCursor ??= this.#entries.keys()
    let next = this.#evictionCursor.next()
    if (next.done) {
      this.#evictionCursor = this.#entries.keys()
      next = this.#evictionCursor.next()
    }
    if (!next.done) this.#entries.delete(next.value)
  }
}
