import { type Span, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api'
import type { StoreCallMessage } from '../diagnostics/messages.js'
import { listenToStoreCalls, storeCallAttributes } from './listen.js'

/**
 * Records a span of `tracer` per store call: a CLIENT span, a child of the span active where the
 * decision was asked for, with the error recorded on a failed call. Returns what unsubscribes.
 */
export function recordSpans(tracer: Tracer): () => void {
  const spans = new WeakMap<StoreCallMessage, Span>()
  return listenToStoreCalls(
    (call) => {
      const attributes = {
        ...storeCallAttributes(call),
        'ratelimit.policies': [...call.policies],
        'ratelimit.cost': call.cost,
        'ratelimit.partition_key': call.partitionKey,
      }
      spans.set(call, tracer.startSpan(`ratelimit ${call.operation}`, { kind: SpanKind.CLIENT, attributes }))
    },
    (call) => {
      const span = spans.get(call)
      if (!span) return // the call started before the subscription
      if (call.error) {
        span.recordException(call.error)
        span.setStatus({ code: SpanStatusCode.ERROR, message: call.error.message })
        span.setAttribute('error.type', call.errorType ?? call.error.name)
      } else if (call.result?.batchSize !== undefined) {
        span.setAttribute('ratelimit.store.batch_size', call.result.batchSize)
      }
      span.end()
    },
  )
}
