import { StoreTimeoutError } from './errors.js'

interface Pending {
  readonly atMs: number
  /**
   * Settles the call when its deadline passes first; undefined once the call has settled. The queue
   * keeps a settled entry a while (until the front moves past it and the array is cut), so letting
   * go of this frees the call's promise, callbacks and result at once. Held, every young-generation
   * collection copied them meanwhile: a third of its time on the coalesced path.
   */
  miss: (() => void) | undefined
}

/**
 * Deadlines of one length, so that they fall due in the order they were set: one timer, armed for
 * the oldest, serves them all, instead of a timer made and cleared for every store call.
 */
export class Deadlines {
  readonly #timeoutMs: number
  #queue: Pending[] = []
  #head = 0
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs
  }

  /**
   * Settles like `promise`, or rejects with a StoreTimeoutError after the timeout. A late
   * settlement of `promise` is absorbed here, so it can never surface as an unhandled rejection.
   */
  race<T>(promise: Promise<T>): Promise<T> {
    return this.settle(promise, passOn, rethrow)
  }

  /**
   * Settles with `onValue(value)` when `promise` fulfills in time, otherwise with `onError(error)`
   * (a StoreTimeoutError when the timeout comes first): {@link race} and `then` in one promise, one
   * fewer for every call that handles both outcomes. A late settlement of `promise` is absorbed.
   */
  settle<T, R>(promise: Promise<T>, onValue: (value: T) => R, onError: (error: unknown) => R): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const finish = <V>(handler: (input: V) => R, input: V): void => {
        if (pending.miss === undefined) return
        pending.miss = undefined
        try {
          resolve(handler(input))
        } catch (error) {
          reject(error)
        }
      }
      const pending: Pending = {
        atMs: performance.now() + this.#timeoutMs,
        miss: () => finish(onError, new StoreTimeoutError(this.#timeoutMs)),
      }
      this.#dropSettled()
      this.#queue.push(pending)
      this.#timer ??= unref(setTimeout(() => this.#expire(), this.#timeoutMs))
      promise.then(
        (value) => finish(onValue, value),
        (error: unknown) => finish(onError, error),
      )
    })
  }

  /** Forgets the settled calls at the front: most settle in the order they started. */
  #dropSettled(): void {
    while (this.#head < this.#queue.length && (this.#queue[this.#head] as Pending).miss === undefined) this.#head++
    if (this.#head > 1_024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head)
      this.#head = 0
    }
  }

  #expire(): void {
    this.#timer = undefined
    const nowMs = performance.now()
    while (this.#head < this.#queue.length) {
      const { miss, atMs } = this.#queue[this.#head] as Pending
      if (miss !== undefined && atMs > nowMs) break
      this.#head++
      miss?.()
    }
    this.#dropSettled()
    const next = this.#queue[this.#head]
    if (next) this.#timer = unref(setTimeout(() => this.#expire(), Math.max(1, Math.ceil(next.atMs - nowMs))))
  }
}

function passOn<T>(value: T): T {
  return value
}

function rethrow(error: unknown): never {
  throw error
}

/** Lets the process exit while a deadline is pending: the store's own connection keeps it alive if needed. */
function unref(timer: ReturnType<typeof setTimeout>): ReturnType<typeof setTimeout> {
  ;(timer as { unref?: () => void }).unref?.()
  return timer
}
