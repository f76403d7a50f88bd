import { StoreTimeoutError } from './errors.js'

interface Pending {
  readonly atMs: number
  settled: boolean
  readonly reject: (error: unknown) => void
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
    return new Promise<T>((resolve, reject) => {
      const pending: Pending = { atMs: performance.now() + this.#timeoutMs, settled: false, reject }
      this.#dropSettled()
      this.#queue.push(pending)
      this.#timer ??= unref(setTimeout(() => this.#expire(), this.#timeoutMs))
      promise.then(
        (value) => {
          pending.settled = true
          resolve(value)
        },
        (error: unknown) => {
          pending.settled = true
          reject(error)
        },
      )
    })
  }

  /** Forgets the settled calls at the front: most settle in the order they started. */
  #dropSettled(): void {
    while (this.#head < this.#queue.length && (this.#queue[this.#head] as Pending).settled) this.#head++
    if (this.#head > 1_024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head)
      this.#head = 0
    }
  }

  #expire(): void {
    this.#timer = undefined
    const nowMs = performance.now()
    while (this.#head < this.#queue.length) {
      const pending = this.#queue[this.#head] as Pending
      if (!pending.settled && pending.atMs > nowMs) break
      this.#head++
      if (!pending.settled) {
        pending.settled = true
        pending.reject(new StoreTimeoutError(this.#timeoutMs))
      }
    }
    this.#dropSettled()
    const next = this.#queue[this.#head]
    if (next) this.#timer = unref(setTimeout(() => this.#expire(), Math.max(1, Math.ceil(next.atMs - nowMs))))
  }
}

/** Lets the process exit while a deadline is pending: the store's own connection keeps it alive if needed. */
function unref(timer: ReturnType<typeof setTimeout>): ReturnType<typeof setTimeout> {
  ;(timer as { unref?: () => void }).unref?.()
  return timer
}
