import { lastKeyMemo, partitionKey } from '../hash.js'
import type { Policy } from '../policy.js'
import type { RateLimitResult } from '../result.js'
import type { Store, StoreDecision, StoreRequest, StoreTarget } from '../store.js'
import type { GuardedDecision } from '../store-guard.js'
import {
  blockCacheChannel,
  decisionChannel,
  storeCallChannel,
  storeCallsTraced,
  storeErrorChannel,
} from './channels.js'
import type {
  BlockCacheMessage,
  DecisionMessage,
  DecisionSource,
  StoreCallMessage,
  StoreErrorMessage,
  StoreOperation,
} from './messages.js'
import { type ShownFailure, shownFailure } from './redact.js'
import { storeKindOf } from './store-kind.js'

/** Each policy list's names, worked out once per list. */
const namesOfLists = new WeakMap<readonly Policy[], readonly string[]>()

/**
 * Publishes what one limiter does on the diagnostics channels. Every method first asks whether
 * anyone listens, and builds nothing otherwise. The client key goes out only as its partition key.
 */
export class LimiterObserver {
  readonly #prefix: string
  /** The partition key of the last client key asked for: a decision's messages ask in a row. */
  readonly #partitionKey: (key: string) => string

  constructor(prefix: string) {
    this.#prefix = prefix
    this.#partitionKey = lastKeyMemo((key) => partitionKey(prefix, key))
  }

  /** Whether anyone listens to decisions: the limiter then times its store. */
  get watchesDecisions(): boolean {
    return decisionChannel.hasSubscribers
  }

  /**
   * The store step of a decision while anyone listens to decisions: `decide`, then `conclude`,
   * timed, and the decision published. A path of its own: timing every decision would keep one
   * more value alive across the store call, memory nobody listening needs.
   */
  timed(
    request: StoreRequest,
    decide: () => GuardedDecision | Promise<GuardedDecision>,
    conclude: (answer: GuardedDecision) => RateLimitResult,
  ): Promise<RateLimitResult> {
    const startedAtMs = performance.now()
    const published = (answer: GuardedDecision): RateLimitResult => {
      const result = conclude(answer)
      this.decided(request, result, decisionSourceOf(answer), performance.now() - startedAtMs)
      return result
    }
    const decision = decide()
    return decision instanceof Promise ? decision.then(published) : Promise.resolve(published(decision))
  }

  /** After a consume or peek: what decided, and how long the store took (0 when not asked). */
  decided(request: StoreRequest, result: RateLimitResult, decidedBy: DecisionSource, storeMs: number): void {
    // Stryker disable next-line ConditionalExpression: a message published with no subscriber reaches no one: skipping it only saves time
    if (!decisionChannel.hasSubscribers) return
    const { allowed, degraded, banned, policy } = result
    decisionChannel.publish({
      prefix: this.#prefix,
      partitionKey: this.#partitionKey(request.key),
      operation: request.mode,
      cost: request.cost,
      policies: namesOf(request.policies),
      policy,
      allowed,
      degraded,
      banned,
      decidedBy,
      storeMs,
      result,
    } satisfies DecisionMessage)
  }

  /** A denial the block cache served: a block cache hit, and a decision. */
  servedFromBlockCache(request: StoreRequest, result: RateLimitResult): void {
    // Stryker disable next-line ConditionalExpression: a message published with no subscriber reaches no one: skipping it only saves time
    if (blockCacheChannel.hasSubscribers)
      blockCacheChannel.publish({
        prefix: this.#prefix,
        partitionKey: this.#partitionKey(request.key),
        operation: request.mode,
        cost: request.cost,
        policy: result.policy,
        result,
      } satisfies BlockCacheMessage)
    this.decided(request, result, 'block-cache', 0)
  }

  /** A store failure the limiter reports to `onError`. */
  storeFailed(error: unknown, target: StoreTarget, operation: StoreOperation): void {
    // Stryker disable next-line ConditionalExpression: a message published with no subscriber reaches no one: skipping it only saves time
    if (!storeErrorChannel.hasSubscribers) return
    const { error: shown, errorType } = this.#shown(error, target.key)
    storeErrorChannel.publish({
      prefix: this.#prefix,
      partitionKey: this.#partitionKey(target.key),
      operation,
      error: shown,
      errorType,
    } satisfies StoreErrorMessage)
  }

  /**
   * `call()`, traced on the store TracingChannel when anyone listens: as `tracePromise` does it,
   * but what the `error` channel carries is the error without the client key. A decision's call
   * resolves with the store's decision; a refund's or a reset's with nothing.
   */
  traced<T>(
    store: Store,
    target: StoreTarget,
    operation: StoreOperation,
    cost: number,
    call: () => Promise<T>,
  ): Promise<T> {
    // Stryker disable next-line ConditionalExpression: a call traced with no subscriber is the same call: skipping the tracing only saves time
    if (!storeCallsTraced()) return call()
    const context: StoreCallMessage = {
      prefix: this.#prefix,
      partitionKey: this.#partitionKey(target.key),
      operation,
      policies: namesOf(target.policies),
      cost,
      store: storeKindOf(store) === 'redis' ? 'redis' : 'custom',
    }
    const { start, end, asyncStart, asyncEnd, error } = storeCallChannel
    const failed = (failure: unknown): void => {
      const shown = this.#shown(failure, target.key)
      context.error = shown.error
      context.errorType = shown.errorType
      error.publish(context)
    }
    const settled = (): void => {
      asyncStart.publish(context)
      asyncEnd.publish(context)
    }
    return start.runStores(context, () => {
      try {
        return call().then(
          (result) => {
            context.result = (result || undefined) as StoreDecision | undefined
            settled()
            return result
          },
          (failure: unknown) => {
            failed(failure)
            settled()
            throw failure
          },
        )
      } catch (failure) {
        failed(failure)
        throw failure
      } finally {
        end.publish(context)
      }
    })
  }

  #shown(error: unknown, key: string): ShownFailure {
    return shownFailure(error, key, `:${this.#partitionKey(key)}:`)
  }
}

/** Which made a decision the store guard returned. */
export function decisionSourceOf({ store, degraded }: GuardedDecision): DecisionSource {
  if (store === undefined) return 'failure-policy'
  return degraded ? 'fallback' : storeKindOf(store)
}

function namesOf(policies: readonly Policy[]): readonly string[] {
  let names = namesOfLists.get(policies)
  // Stryker disable next-line ConditionalExpression: the names made again are the same names: the cache only saves time
  if (!names) {
    names = Object.freeze(policies.map((policy) => policy.name))
    namesOfLists.set(policies, names)
  }
  return names
}
