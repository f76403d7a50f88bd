// atomic-ratelimit/otel: the diagnostics channels as OpenTelemetry metrics and spans. The only
// entry of the package that imports @opentelemetry/api (an optional peer dependency).
import { type MeterProvider, metrics, type TracerProvider, trace } from '@opentelemetry/api'
import { assertKnownOptions, assertOptionsObject } from '../validate.js'
import { recordMetrics } from './metrics.js'
import { recordSpans } from './spans.js'

/** Options of {@link instrument}. */
export interface InstrumentOptions {
  /** Where the metrics go. @default the global MeterProvider of `@opentelemetry/api` */
  readonly meterProvider?: MeterProvider
  /** Where the spans go. @default the global TracerProvider of `@opentelemetry/api` */
  readonly tracerProvider?: TracerProvider
}

/** The instrumentation scope of the meter and the tracer. */
const SCOPE = 'atomic-ratelimit'

/**
 * Records what every limiter of the process does as OpenTelemetry metrics (`ratelimit.decisions`,
 * `ratelimit.store.duration`, `ratelimit.store.errors`, `ratelimit.breaker.open`,
 * `ratelimit.block_cache.hits`) and a span per store call, by subscribing to the diagnostics
 * channels. Call it once, after the SDK has registered its providers (the API has no stand-in
 * meter that would pass metrics on to one registered later). Returns a function that unsubscribes.
 *
 * @example
 * ```ts
 * import { instrument } from 'atomic-ratelimit/otel'
 *
 * sdk.start() // NodeSDK of @opentelemetry/sdk-node, or your own providers
 * const uninstrument = instrument()
 * ```
 */
export function instrument(options?: InstrumentOptions): () => void {
  const given = assertOptionsObject(options, 'instrument')
  assertKnownOptions(given, ['meterProvider', 'tracerProvider'], 'instrument')
  const meter = (given.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE)
  const tracer = (given.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE)
  const stops = [recordMetrics(meter), recordSpans(tracer)]
  return function uninstrument(): void {
    for (const stop of stops.splice(0)) stop()
  }
}
