import { channel, tracingChannel } from 'node:diagnostics_channel'
import type { StoreCallMessage } from './messages.js'

/**
 * The names of the `node:diagnostics_channel` channels the limiter publishes on. `store` names a
 * TracingChannel: subscribe with `tracingChannel(channelNames.store).subscribe({ start, asyncEnd,
 * error, … })`, or to its channels `tracing:atomic-ratelimit:store:start` and so on.
 *
 * @example
 * ```ts
 * import { subscribe } from 'node:diagnostics_channel'
 * import { channelNames, type DecisionMessage } from 'atomic-ratelimit'
 *
 * subscribe(channelNames.decision, (message) => {
 *   const { prefix, policy, allowed } = message as DecisionMessage
 *   if (!allowed) console.log(`${prefix}: denied under ${policy}`)
 * })
 * ```
 */
export const channelNames = {
  decision: 'atomic-ratelimit:decision',
  store: 'atomic-ratelimit:store',
  storeError: 'atomic-ratelimit:store-error',
  breaker: 'atomic-ratelimit:breaker',
  blockCache: 'atomic-ratelimit:block-cache',
} as const satisfies Record<string, string>

/** Carries a DecisionMessage after every consume and peek. */
export const decisionChannel = channel(channelNames.decision)
/** Traces each call to a store outside the process; its context is a StoreCallMessage. */
export const storeCallChannel = tracingChannel<unknown, StoreCallMessage>(channelNames.store)
/** Carries a StoreErrorMessage for every store failure reported to `onError`. */
export const storeErrorChannel = channel(channelNames.storeError)
/** Carries a BreakerMessage at every change of a circuit breaker's state. */
export const breakerChannel = channel(channelNames.breaker)
/** Carries a BlockCacheMessage for every denial the block cache serves. */
export const blockCacheChannel = channel(channelNames.blockCache)

/**
 * Whether anyone listens to store calls. TracingChannel's own `hasSubscribers` came in Node 20.13:
 * asked of its five channels, as it does, the answer holds on every Node 20.
 */
export function storeCallsTraced(): boolean {
  const { start, end, asyncStart, asyncEnd, error } = storeCallChannel
  return (
    start.hasSubscribers ||
    end.hasSubscribers ||
    asyncStart.hasSubscribers ||
    asyncEnd.hasSubscribers ||
    error.hasSubscribers
  )
}
