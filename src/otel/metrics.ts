import type { Meter, MetricOptions } from '@opentelemetry/api'
import { channelNames } from '../diagnostics/channels.js'
import type {
  BlockCacheMessage,
  BreakerMessage,
  DecisionMessage,
  StoreCallMessage,
  StoreErrorMessage,
} from '../diagnostics/messages.js'
import { listen, listenToStoreCalls, storeCallAttributes } from './listen.js'

/** The metrics, with the names, units and descriptions the README's table lists. */
const METRICS = {
  decisions: {
    name: 'ratelimit.decisions',
    unit: '{decision}',
    description: 'Decisions of consume and peek, by outcome',
  },
  storeDuration: {
    name: 'ratelimit.store.duration',
    unit: 's',
    description: 'Duration of calls to the store, until the answer or the failure',
    // From 100 µs (a local Redis) to 1 s (far past any sane timeoutMs): the API's default buckets,
    // from 5 to 10,000, suit milliseconds.
    advice: {
      explicitBucketBoundaries: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    },
  },
  storeErrors: { name: 'ratelimit.store.errors', unit: '{error}', description: 'Store failures reported to onError' },
  openBreakers: {
    name: 'ratelimit.breaker.open',
    unit: '{breaker}',
    description: 'Circuit breakers not closed (open, or half-open awaiting their probe)',
  },
  blockCacheHits: {
    name: 'ratelimit.block_cache.hits',
    unit: '{hit}',
    description: 'Denials served by the block cache, with no store call',
  },
} as const satisfies Record<string, MetricOptions & { readonly name: string }>

/** Records the channels' messages as metrics of `meter`; returns what unsubscribes. */
export function recordMetrics(meter: Meter): () => void {
  const decisions = meter.createCounter(METRICS.decisions.name, METRICS.decisions)
  const storeDuration = meter.createHistogram(METRICS.storeDuration.name, METRICS.storeDuration)
  const storeErrors = meter.createCounter(METRICS.storeErrors.name, METRICS.storeErrors)
  const openBreakers = meter.createUpDownCounter(METRICS.openBreakers.name, METRICS.openBreakers)
  const blockCacheHits = meter.createCounter(METRICS.blockCacheHits.name, METRICS.blockCacheHits)
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
