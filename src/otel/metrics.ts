import type { Meter } from '@opentelemetry/api'
import { channelNames } from '../diagnostics/channels.js'
import type {
  BlockCacheMessage,
  BreakerMessage,
  DecisionMessage,
  StoreCallMessage,
  StoreErrorMessage,
} from '../diagnostics/messages.js'
import { listen, listenToStoreCalls, storeCallAttributes } from './listen.js'

/**
 * Bucket boundaries of the store duration, in seconds: from 100 µs (a local Redis) to 1 s (far
 * past any sane `timeoutMs`). The API's default buckets, from 5 to 10,000, suit milliseconds.
 */
const STORE_SECONDS_BOUNDARIES = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]

/** Records the channels' messages as metrics of `meter`; returns what unsubscribes. */
export function recordMetrics(meter: Meter): () => void {
  const decisions = meter.createCounter('ratelimit.decisions', {
    description: 'Decisions of consume and peek, by outcome',
    unit: '{decision}',
  })
  const storeDuration = meter.createHistogram('ratelimit.store.duration', {
    description: 'Duration of calls to the store, until the answer or the failure',
    unit: 's',
    advice: { explicitBucketBoundaries: STORE_SECONDS_BOUNDARIES },
  })
  const storeErrors = meter.createCounter('ratelimit.store.errors', {
    description: 'Store failures reported to onError',
    unit: '{error}',
  })
  const openBreakers = meter.createUpDownCounter('ratelimit.breaker.open', {
    description: 'Circuit breakers not closed (open, or half-open awaiting their probe)',
    unit: '{breaker}',
  })
  const blockCacheHits = meter.createCounter('ratelimit.block_cache.hits', {
    description: 'Denials served by the block cache, with no store call',
    unit: '{hit}',
  })
  const startedAtMs = new WeakMap<StoreCallMessage, number>()
  const stops = [
    listen<DecisionMessage>(channelNames.decision, (decision) => decisions.add(1, decisionAttributes(decision))),
    listen<StoreErrorMessage>(channelNames.storeError, ({ prefix, operation, errorType }) =>
      storeErrors.add(1, { 'ratelimit.prefix': prefix, 'ratelimit.operation': operation, 'error.type': errorType }),
    ),
    listen<BreakerMessage>(channelNames.breaker, ({ prefix, state, previousState }) => {
      const change = Number(state !== 'closed') - Number(previousState !== 'closed')
      if (change !== 0) openBreakers.add(change, { 'ratelimit.prefix': prefix })
    }),
    listen<BlockCacheMessage>(channelNames.blockCache, ({ prefix, policy }) =>
      blockCacheHits.add(1, { 'ratelimit.prefix': prefix, 'ratelimit.policy': policy }),
    ),
    listenToStoreCalls(
      (call) => startedAtMs.set(call, performance.now()),
      (call) => {
        const startedMs = startedAtMs.get(call)
        if (startedMs === undefined) return // the call started before the subscription
        const attributes = storeCallAttributes(call)
        if (call.errorType !== undefined) attributes['error.type'] = call.errorType
        storeDuration.record((performance.now() - startedMs) / 1_000, attributes)
      },
    ),
  ]
  return () => {
    for (const stop of stops) stop()
  }
}

function decisionAttributes({ prefix, policy, operation, allowed, degraded, decidedBy }: DecisionMessage) {
  return {
    'ratelimit.prefix': prefix,
    'ratelimit.policy': policy,
    'ratelimit.operation': operation,
    'ratelimit.outcome': degraded ? 'degraded' : allowed ? 'allowed' : 'denied',
    'ratelimit.decided_by': decidedBy,
  }
}
