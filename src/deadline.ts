import { StoreTimeoutError } from './errors.js'

/** What runs when a deadline passes first: given the deadline's subject and length. */
export type Miss<S> = (subject: S, timeoutMs: number) => void

/** One deadline, from {@link Deadlines.arm}. */
export interface Deadline {
  readonly atMs: number
  /**
   * Runs when the deadline passes first; undefined once disarmed or run. The queue keeps a settled
   * entry a while (until the front moves past it and the array is cut), so letting go of this and
   * of `subject` frees the call's promises, callbacks and result at once. Held, every
   * young-generation collection copied them meanwhile: a third of its time on the coalesced path.
   */
  miss: Miss<never> | undefined
  /**
   * What `miss` acts on, held here rather than captured by a closure: a closure per script call
   * that captured the call's batch kept the batch alive until a full collection (Node then took a
   * third more time per coalesced decision).
   */
  subject: unknown
}

/**
 * Deadlines of one length, so that they fall due in the order they were set: one timer, armed for
 * the oldest, serves them all, instead of a timer made and cleared for every store call.
 */
export class Deadlines {
  readonly #timeoutMs: number
  #queue: Deadline[] = []
  #head = 0
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs
  }

  /**
   * Runs `miss(subject, timeoutMs)` once the timeout has passed since `startedAtMs` (by default
   * now), unless {@link disarm} comes first. Deadlines must be armed in the order they fall due.
   */
  arm<S>(miss: Miss<S>, subject: S, startedAtMs = performance.now()): Deadline {
    const deadline: Deadline = { atMs: startedAtMs + this.#timeoutMs, miss: miss as Miss<never>, subject }
    this.#dropSettled()
    this.#queue.push(deadline)
    this.#timer ??= this.#timerFor(deadline, performance.now())
    return deadline
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
        try {
          resolve(handler(input))
        } catch (error) {
          reject(error)
        }
      }
      const deadline = this.arm(() => finish(onError, new StoreTimeoutError(this.#timeoutMs)), undefined)
      promise.then(
        (value) => {
          if (disarm(deadline)) finish(onValue, value)
        },
        (error: unknown) => {
          if (disarm(deadline)) finish(onError, error)
        },
      )
    })
  }

  /** Forgets the settled calls at the front: most settle in the order they started. */
  #dropSettled(): void {
    while (this.#head < this.#queue.length && (this.#queue[this.#head] as Deadline).miss === undefined) this.#head++
    if (this.#head > 1_024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head)
      this.#head = 0
    }
  }

  #expire(): void {
    this.#timer = undefined
    const nowMs = performance.now()
    while (this.#head < this.#queue.length) {
      const deadline = this.#queue[this.#head] as Deadline
      const { miss, subject } = deadline
      if (miss !== undefined && deadline.atMs > nowMs) break
      this.#head++
      disarm(deadline)
      ;(miss as Miss<unknown> | undefined)?.(subject, this.#timeoutMs)
    }
    this.#dropSettled()
    const next = this.#queue[this.#head]
    if (next) this.#timer = this.#timerFor(next, nowMs)
  }

  #timerFor(deadline: Deadline, nowMs: number): ReturnType<typeof setTimeout> {
    return unref(setTimeout(() => this.#expire(), Math.max(1, Math.ceil(deadline.atMs - nowMs))))
  }
}

/**
 * Cancels `deadline` once the call it watches has settled: true if it was pending, false if it had
 * passed (its `miss` ran) or was cancelled already, or for none.
 */
export function disarm(deadline: Deadline | undefined): boolean {
  if (deadline?.miss === undefined) return false
  deadline.miss = undefined
  deadline.subject = undefined
  return true
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
