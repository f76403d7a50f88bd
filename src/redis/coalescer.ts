import { type Deadline, Deadlines, disarm } from '../deadline.js'
import { storeCallsTraced } from '../diagnostics/channels.js'
import { StoreTimeoutError } from '../errors.js'
import { integersIn } from '../integer-text.js'
import { RequestHeads } from './request-heads.js'
import { decideScript, type LuaScript } from './script.js'
import type { PolicyList, ScriptAnswer, ScriptCall, SendScript, StandalonePolicy } from './script-call.js'

interface Queued {
  readonly call: ScriptCall
  /** What the caller makes of its answer: the promise settles with that, in the step the reply came. */
  readonly read: (answer: ScriptAnswer) => unknown
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown) => void
}

/**
 * The letter that opens a request's value in lua/decide.lua's ARGV, before its list's letter and
 * its cost: a request costs at most one value (two for a refund) to send, and Redis as many strings
 * to make.
 */
const MODE_LETTERS = { consume: 'c', peek: 'p', refund: 'r' } as const

/** The letter of a call's nth policy list (from 1): `A`, `B`… up to `` ` `` for the 32nd. */
function listLetter(number: number): string {
  return String.fromCharCode(64 + number)
}

/**
 * Most requests in one script call. A turn's requests go as several calls, pipelined: Redis decides
 * one while Node reads the answer of the one before (one call of 512 left each side idle half the
 * time; 32 doubled throughput at 64 and 512 in flight on the 2-core machine of BENCHMARKS.md).
 * A call holds as many policy lists at most, each named by one letter (listLetter).
 */
const MOST_PER_CALL = 32

/**
 * Sends requests to lua/decide.lua. With `coalesce`, the requests made in one turn of the event loop
 * go as one script call per group, decided in the order they came, each still atomic; the batch
 * leaves at the end of the turn (setImmediate), never on a timer. A lone request, one that finds no
 * call in flight while the last call held it alone, has nothing to wait for: it goes at once, and
 * those made after it in its turn, or while it is out, form the next batch. Without `coalesce`,
 * each goes at once.
 *
 * A client that writes at the end of a turn itself (node-redis) would write a batch sent at the end
 * of the turn only at the end of the next one, a turn late every time. For such a client the first
 * request of every turn goes at once: the client's write then falls due after the batch leaves, in
 * the same turn, and takes the batch with it: 1.12 to 1.17 times the decisions a second at 512 in
 * flight (A/B in one process, node-redis), about the same at 64.
 */
export class Coalescer {
  readonly #send: SendScript
  readonly #coalesce: boolean
  /** The client writes at the end of a turn (see the class): the first request of a turn goes at once. */
  readonly #firstGoesAtOnce: boolean
  #queue: Queued[] = []
  /** Whether the end of the turn will send the queue: set at a turn's first request, cleared by the flush. */
  #flushDue = false
  /** Script calls sent and not yet answered. */
  #inFlight = 0
  /**
   * Whether the last call sent held more than one request: traffic comes in turns of several, and
   * the first of a turn waits for the others, even when it finds no call in flight (the answers of
   * the last turn's calls have all come, and set the next turn going).
   */
  // Stryker disable next-line BooleanLiteral: a new store's first request then waits a turn: the same decision, a turn later
  #busy = false
  /** When the queue's first call came: the deadlines of a batch run from there. */
  #queuedAtMs = 0
  /** One queue of deadlines per timeout length, so each falls due in order. */
  readonly #deadlines = new Map<number, Deadlines>()

  constructor(send: SendScript, coalesce: boolean, clientWritesAtEndOfTurn: boolean) {
    this.#send = send
    this.#coalesce = coalesce
    this.#firstGoesAtOnce = clientWritesAtEndOfTurn
  }

  /**
   * Sends `call`, alone or with others, and settles with `read(answer)` (or read's error): one
   * promise per call, where chaining `read` after it would take one more.
   */
  submit<T>(call: ScriptCall, read: (answer: ScriptAnswer) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const queued: Queued = { call, read, resolve: resolve as (value: unknown) => void, reject }
      if (!this.#coalesce || (this.#inFlight === 0 && !this.#busy && !this.#flushDue)) {
        this.#sendBatch([queued], performance.now())
        return
      }
      if (!this.#flushDue) {
        this.#flushDue = true
        setImmediate(() => this.#flush())
        if (this.#firstGoesAtOnce) {
          this.#sendBatch([queued], performance.now())
          return
        }
      }
      if (this.#queue.push(queued) === 1) this.#queuedAtMs = performance.now()
    })
  }

  #flush(): void {
    this.#flushDue = false
    const queue = this.#queue
    this.#queue = []
    const groups = new Map<string, Queued[]>()
    for (const queued of queue) {
      const group = groups.get(queued.call.group)
      if (group) group.push(queued)
      else groups.set(queued.call.group, [queued])
    }
    for (const group of groups.values())
      for (let start = 0; start < group.length; start += MOST_PER_CALL)
        this.#sendBatch(group.slice(start, start + MOST_PER_CALL), this.#queuedAtMs)
  }

  /**
   * The deadlines of a batch's calls, from `queuedAtMs` (when the first of them came): one per
   * timeout length, most often one for up to 32 decisions, where a deadline per decision cost
   * Node a tenth to a quarter of its time on the coalesced path. Calls without a timeout (refunds)
   * get none.
   */
  #armDeadlines(batch: readonly Queued[], queuedAtMs: number): Deadline[] {
    const armed: Deadline[] = []
    const lengths: number[] = []
    for (const { call } of batch)
      if (call.timeoutMs !== undefined && !lengths.includes(call.timeoutMs)) lengths.push(call.timeoutMs)
    for (const timeoutMs of lengths) {
      let deadlines = this.#deadlines.get(timeoutMs)
      if (!deadlines) {
        deadlines = new Deadlines(timeoutMs)
        this.#deadlines.set(timeoutMs, deadlines)
      }
      armed.push(deadlines.arm(timeOut, batch, queuedAtMs))
    }
    return armed
  }

  #sendBatch(batch: readonly Queued[], queuedAtMs: number): void {
    this.#busy = batch.length > 1
    const first = batch[0] as Queued
    const deadlines = this.#armDeadlines(batch, queuedAtMs)
    if (batch.length === 1 && first.call.standalone) {
      this.#sendAlone(first, first.call.standalone, deadlines)
      return
    }
    const lists = new Map<PolicyList, string>()
    const heads = new RequestHeads()
    const keys: string[] = []
    let readOnly = true
    for (const { call } of batch) {
      readOnly &&= call.mode === 'peek'
      let letter = lists.get(call.list)
      if (letter === undefined) {
        letter = listLetter(lists.size + 1)
        lists.set(call.list, letter)
      }
      // A cost of 1, by far the most common, is left out: the script's default.
      heads.add(MODE_LETTERS[call.mode] + letter + (call.cost === '1' ? '' : call.cost), call.chargedAt)
      keys.push(...call.keys)
    }
    const own = lists.size === 1 ? first.call.list.ownScript : undefined
    const listArgs = own ? [] : [...lists.keys()].flatMap((list) => list.args)
    const args = [first.call.nowArg, own ? '0' : String(lists.size), ...listArgs, ...heads.values()]
    const script = own ?? (lists.size === 1 ? first.call.list.script : scriptFor([...lists.keys()]))
    this.#sendCall(script, keys, args, readOnly).then(
      (answer) => {
        this.#landed(deadlines)
        const values = (answer as string).split(' ')
        const nowMs = Number(values[0])
        const batchSize = storeCallsTraced() ? batch.length : undefined
        let at = 1
        for (const queued of batch) {
          answerWith(queued, batchSize === undefined ? { values, at, nowMs } : { values, at, nowMs, batchSize })
          at += queued.call.replyLength
        }
      },
      (error: unknown) => {
        this.#landed(deadlines)
        for (const { reject } of batch) reject(error)
      },
    )
  }

  /** Sends one script call, in flight until {@link #landed}. */
  #sendCall(script: LuaScript, keys: string[], args: string[], readOnly: boolean): Promise<unknown> {
    this.#inFlight++
    return this.#send(script, keys, args, readOnly)
  }

  /** A script call's answer or failure came: it is no longer in flight, nor are its deadlines armed. */
  #landed(deadlines: readonly Deadline[]): void {
    this.#inFlight--
    for (const deadline of deadlines) disarm(deadline)
  }

  /** A request alone, as its algorithm's own script: the reply is its five figures, then the time. */
  #sendAlone(
    queued: Queued,
    { script, limit, windowMs, burst }: StandalonePolicy,
    deadlines: readonly Deadline[],
  ): void {
    // Trailing values the script would default anyway (burst = limit, no injected time, cost 1) are
    // left out: up to three fewer strings for the client to write and Redis to make, on every call.
    // Each array is made at its length: shortening one (setting `length`) cost Node half a µs.
    const { call, reject } = queued
    const { cost, nowArg } = call
    const args =
      burst !== undefined
        ? [limit, windowMs, cost, nowArg, burst]
        : nowArg !== ''
          ? [limit, windowMs, cost, nowArg]
          : cost !== '1'
            ? [limit, windowMs, cost]
            : [limit, windowMs]
    this.#sendCall(script, call.keys, args, false).then(
      (answer) => {
        this.#landed(deadlines)
        // One string of integers: a client reads one bulk string far faster than an array of them.
        const figures = integersIn(String(answer), SPACE)
        if (figures?.length === 6) {
          const nowMs = figures[5] as number
          answerWith(queued, storeCallsTraced() ? { figures, nowMs, batchSize: 1 } : { figures, nowMs })
        } else reject(new Error(`atomic-ratelimit: an algorithm script answered "${String(answer)}", not six integers`))
      },
      (error: unknown) => {
        this.#landed(deadlines)
        reject(error)
      },
    )
  }
}

/** Settles a queued call with what it reads in its answer, or with the error reading it threw. */
function answerWith({ read, resolve, reject }: Queued, answer: ScriptAnswer): void {
  try {
    resolve(read(answer))
  } catch (error) {
    reject(error)
  }
}

/** Fails the calls of a batch that have `timeoutMs`, when no answer came within it. */
function timeOut(batch: readonly Queued[], timeoutMs: number): void {
  const error = new StoreTimeoutError(timeoutMs)
  for (const { call, reject } of batch) if (call.timeoutMs === timeoutMs) reject(error)
}

/** The script that knows every algorithm of these policy lists (and penalties, if one has them). */
function scriptFor(lists: readonly PolicyList[]): LuaScript {
  return decideScript(
    lists.flatMap((list) => list.algorithms),
    lists.some((list) => list.penalized),
  )
}

const SPACE = 32
