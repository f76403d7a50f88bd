// atomic-ratelimit/otel against the real OpenTelemetry SDK: its in-memory metric and span exporters
// read what a scripted run of two limiters on a private redis-server recorded.
import { inspect } from 'node:util'
import { type Attributes, context, metrics, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { describe, expect, it, onTestFinished } from 'vitest'
import { fixedWindow, RateLimiter, RedisStore } from '../src/index.js'
import { instrument } from '../src/otel/index.js'
import { recordChannels } from './helpers/channels.js'
import { privateRedis } from './helpers/redis.js'
import { sleep } from './helpers/redis-server.js'

const TIMEOUT_MS = 500
const COOLDOWN_MS = 100
/** A test makes a scripted run: its outage and restart take a few seconds. */
const RUN_TIMEOUT_MS = 30_000

/** A MeterProvider and a TracerProvider of the SDK, each with an in-memory exporter. */
function sdk() {
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 })
  const spanExporter = new InMemorySpanExporter()
  return {
    meterProvider: new MeterProvider({ readers: [reader] }),
    tracerProvider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] }),
    spanExporter,
    /** Every metric as exported now. */
    async metrics(): Promise<MetricData[]> {
      metricExporter.reset()
      await reader.forceFlush()
      return metricExporter.getMetrics().flatMap(({ scopeMetrics }) => scopeMetrics.flatMap((scope) => scope.metrics))
    },
  }
}

/** A metric's points, each under the values of `keys` (joined by spaces). */
function points<V>(exported: MetricData[], name: string, keys: string[]): [string, V][] {
  const metric = exported.find(({ descriptor }) => descriptor.name === name)
  const dataPoints = (metric?.dataPoints ?? []) as DataPoint<V>[]
  return dataPoints.map(({ attributes, value }) => [keys.map((key) => String(attributes[key])).join(' '), value])
}

/** A counter's values summed by the values of `keys`. */
function sums(exported: MetricData[], name: string, keys: string[]): Record<string, number> {
  const summed: Record<string, number> = {}
  for (const [series, value] of points<number>(exported, name, keys)) summed[series] = (summed[series] ?? 0) + value
  return summed
}

/** Waits until the ioredis client reports `status`. */
async function statusOf(client: { status: string }, status: string): Promise<void> {
  for (let waitedMs = 0; client.status !== status; waitedMs += 10) {
    if (waitedMs > 10_000) throw new Error(`the client stayed ${client.status}, not ${status}`)
    await sleep(10)
  }
}

const userKeys = ['alice@example.com', 'bob@example.com', 'carol@example.com', 'dave@example.com']

/**
 * The scripted run, on a private server emptied first: decisions allowed and denied by Redis and by
 * the block cache, an outage (the server stopped by SIGSTOP) whose missed deadlines open the
 * breaker, its probe closing it, and then the server killed (its client refuses at once while
 * reconnecting) and started again. Each test makes its own run: what a test checks is then what the
 * code did while that test ran.
 */
async function scriptedRun(redis: ReturnType<typeof privateRedis>) {
  await redis.client.flushall()
  const otel = sdk()
  onTestFinished(() => Promise.all([otel.meterProvider.shutdown(), otel.tracerProvider.shutdown()]).then(() => {}))
  const uninstrument = instrument({ meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider })
  onTestFinished(uninstrument) // should the run fail midway
  const store = new RedisStore({ client: redis.client })
  const shared = { store, timeoutMs: TIMEOUT_MS, onError: () => {}, onStoreError: 'allow' } as const
  const api = new RateLimiter({
    ...shared,
    prefix: 'api',
    policy: fixedWindow({ limit: 3, windowMs: 60_000, name: 'api' }),
    circuitBreaker: { failureThreshold: 2, cooldownMs: COOLDOWN_MS },
  })
  const login = new RateLimiter({
    ...shared,
    prefix: 'login',
    policy: fixedWindow({ limit: 1, windowMs: 60_000, name: 'login' }),
  })
  const [alice, bob, carol, dave] = userKeys as [string, string, string, string]
  // Allowed: the first at once (nothing was in flight), the two made after it in one script call.
  await Promise.all([api.consume(alice), api.consume(alice), api.consume(alice)])
  for (let attempt = 0; attempt < 3; attempt++) await api.consume(alice) // denied, 2 block cache hits
  for (let attempt = 0; attempt < 3; attempt++) await login.consume(alice) // allowed, denied, 1 block cache hit

  redis.server.freeze(true)
  await Promise.all([api.consume(bob), api.consume(bob)]) // 2 missed deadlines: the breaker opens
  for (let attempt = 0; attempt < 3; attempt++) await api.consume(bob) // failure policy, no store call
  const openBreakersMidway = sums(await otel.metrics(), 'ratelimit.breaker.open', ['ratelimit.prefix'])
  redis.server.freeze(false)
  await sleep(COOLDOWN_MS + 20)
  await api.consume(carol) // the probe: allowed, the breaker closes

  await redis.server.stop()
  await statusOf(redis.client, 'reconnecting')
  await Promise.all([login.consume(dave), login.consume(dave)]) // refused at once: unavailable
  await redis.server.start()
  await statusOf(redis.client, 'ready')
  await login.consume(carol) // allowed
  uninstrument()
  await api.consume(carol) // after unsubscribing: recorded nowhere
  return { otel, openBreakersMidway }
}

describe('atomic-ratelimit/otel with the OpenTelemetry SDK, after a scripted run', () => {
  const redis = privateRedis()

  it(
    'counts decisions exactly, by policy, outcome and what decided',
    async () => {
      const { otel } = await scriptedRun(redis)
      const exported = await otel.metrics()
      expect(sums(exported, 'ratelimit.decisions', ['ratelimit.policy', 'ratelimit.outcome'])).toEqual({
        'api allowed': 4,
        'api denied': 3,
        'api degraded': 5,
        'login allowed': 2,
        'login denied': 2,
        'login degraded': 2,
      })
      const bySource = sums(exported, 'ratelimit.decisions', [
        'ratelimit.prefix',
        'ratelimit.outcome',
        'ratelimit.decided_by',
      ])
      expect(bySource).toEqual({
        'api allowed redis': 4,
        'api denied redis': 1,
        'api denied block-cache': 2,
        'api degraded failure-policy': 5,
        'login allowed redis': 2,
        'login denied redis': 1,
        'login denied block-cache': 1,
        'login degraded failure-policy': 2,
      })
      const metric = exported.find(({ descriptor }) => descriptor.name === 'ratelimit.decisions')
      expect(metric?.dataPoints.every(({ attributes }) => attributes['ratelimit.operation'] === 'consume')).toBe(true)
    },
    RUN_TIMEOUT_MS,
  )

  it(
    'counts store errors by kind, block cache hits, and the breaker open, then closed',
    async () => {
      const { otel, openBreakersMidway } = await scriptedRun(redis)
      const exported = await otel.metrics()
      expect(
        sums(exported, 'ratelimit.store.errors', ['ratelimit.prefix', 'ratelimit.operation', 'error.type']),
      ).toEqual({ 'api consume timeout': 2, 'login consume unavailable': 2 })
      expect(sums(exported, 'ratelimit.block_cache.hits', ['ratelimit.prefix', 'ratelimit.policy'])).toEqual({
        'api api': 2,
        'login login': 1,
      })
      expect(openBreakersMidway).toEqual({ api: 1 })
      expect(sums(exported, 'ratelimit.breaker.open', ['ratelimit.prefix'])).toEqual({ api: 0 })
    },
    RUN_TIMEOUT_MS,
  )

  it(
    'records each store call’s duration in seconds: the missed deadlines at least timeoutMs',
    async () => {
      const { otel } = await scriptedRun(redis)
      const exported = await otel.metrics()
      const durations = Object.fromEntries(
        points<Histogram>(exported, 'ratelimit.store.duration', ['ratelimit.prefix', 'error.type']),
      )
      expect(Object.fromEntries(Object.entries(durations).map(([series, { count }]) => [series, count]))).toEqual({
        'api undefined': 5,
        'api timeout': 2,
        'login undefined': 3,
        'login unavailable': 2,
      })
      expect(durations['api timeout']?.min).toBeGreaterThanOrEqual(TIMEOUT_MS / 1_000)
      expect(durations['login unavailable']?.max).toBeLessThan(TIMEOUT_MS / 1_000)
      const metric = exported.find(({ descriptor }) => descriptor.name === 'ratelimit.store.duration')
      expect(metric?.descriptor.unit).toBe('s')
    },
    RUN_TIMEOUT_MS,
  )

  it(
    'records a span per store call, with the error recorded on each failed one',
    async () => {
      const { otel } = await scriptedRun(redis)
      const spans = otel.spanExporter.getFinishedSpans()
      expect(spans).toHaveLength(12)
      expect(spans.every(({ name, kind }) => name === 'ratelimit consume' && kind === SpanKind.CLIENT)).toBe(true)
      const failed = spans.filter(({ status }) => status.code === SpanStatusCode.ERROR)
      expect(failed.map(({ attributes }) => attributes['error.type'])).toEqual([
        'timeout',
        'timeout',
        'unavailable',
        'unavailable',
      ])
      for (const span of failed)
        expect(span.events).toEqual([
          expect.objectContaining({
            name: 'exception',
            attributes: expect.objectContaining({ 'exception.message': span.status.message }),
          }),
        ])
      expect(spans.map(({ attributes }) => attributes['ratelimit.store.batch_size'] ?? '-')).toEqual([
        ...[1, 2, 2, 1, 1, 1], // api and login on alice
        ...['-', '-', 1], // api on bob (missed deadlines), then carol (the probe)
        ...['-', '-', 1], // login on dave (unavailable), then carol
      ])
      expect(spans[0]?.attributes).toMatchObject({
        'ratelimit.prefix': 'api',
        'ratelimit.operation': 'consume',
        'ratelimit.store': 'redis',
        'ratelimit.policies': ['api'],
        'ratelimit.cost': 1,
      })
    },
    RUN_TIMEOUT_MS,
  )

  it(
    'never records a client key: no attribute, event or span name holds an email address',
    async () => {
      const { otel } = await scriptedRun(redis)
      const exported = await otel.metrics()
      const attributes: Attributes[] = exported.flatMap(({ dataPoints }) => dataPoints.map((point) => point.attributes))
      const spans = otel.spanExporter.getFinishedSpans()
      const recorded = inspect(
        [
          attributes,
          spans.map(({ name, attributes, events, status }: ReadableSpan) => ({ name, attributes, events, status })),
        ],
        { depth: null, maxStringLength: null, breakLength: Number.POSITIVE_INFINITY },
      )
      expect(recorded).toContain('ratelimit.partition_key')
      for (const key of userKeys) expect(recorded).not.toContain(key)
      expect(recorded).not.toContain('@example.com')
    },
    RUN_TIMEOUT_MS,
  )
})

describe('instrument()', () => {
  it('uses the global providers by default, and its span is a child of the span active at the decision', async () => {
    const otel = sdk()
    const contextManager = new AsyncLocalStorageContextManager().enable()
    context.setGlobalContextManager(contextManager)
    metrics.setGlobalMeterProvider(otel.meterProvider)
    trace.setGlobalTracerProvider(otel.tracerProvider)
    try {
      const uninstrument = instrument()
      const limiter = new RateLimiter({ store: failingStore(), onError: () => {} })
      const request = otel.tracerProvider.getTracer('app').startSpan('GET /')
      await context.with(trace.setSpan(context.active(), request), () => limiter.consume('k'))
      request.end()
      uninstrument()
      await limiter.consume('k')
      const exported = await otel.metrics()
      expect(sums(exported, 'ratelimit.decisions', ['ratelimit.outcome'])).toEqual({ degraded: 1 })
      const [storeCall] = otel.spanExporter.getFinishedSpans()
      expect(storeCall?.parentSpanContext?.spanId).toBe(request.spanContext().spanId)
      expect(storeCall?.attributes['ratelimit.store']).toBe('custom')
    } finally {
      metrics.disable()
      trace.disable()
      context.disable()
      await Promise.all([otel.meterProvider.shutdown(), otel.tracerProvider.shutdown()])
    }
  })

  it('records a store call that throws before it returns a promise: its duration and a failed span', async () => {
    const otel = sdk()
    const uninstrument = instrument({ meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider })
    onTestFinished(uninstrument)
    const throwing = {
      ...failingStore(),
      decide: () => {
        throw new TypeError('not a store')
      },
    }
    await new RateLimiter({ store: throwing, onError: () => {} }).consume('k')
    const durations = points<Histogram>(await otel.metrics(), 'ratelimit.store.duration', ['error.type'])
    expect(durations.map(([series, { count }]) => [series, count])).toEqual([['TypeError', 1]])
    const [span] = otel.spanExporter.getFinishedSpans()
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'not a store' })
    expect(span?.attributes['error.type']).toBe('TypeError')
  })

  it('records answered store calls (consume, refund, reset) with no error.type, and no batch size where none was sent', async () => {
    const otel = sdk()
    const uninstrument = instrument({ meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider })
    onTestFinished(uninstrument)
    const outcome = { allowed: true, remaining: 9, resetAfterMs: 1_000, retryAfterMs: 0, nextQuotaMs: 1_000 }
    const answering = {
      decide: async () => ({ nowMs: Date.now(), outcomes: [outcome] }),
      refund: async () => {},
      reset: async () => {},
    }
    const limiter = new RateLimiter({ store: answering })
    await limiter.refund(await limiter.consume('k'))
    await limiter.reset('k')
    const duration = (await otel.metrics()).find(({ descriptor }) => descriptor.name === 'ratelimit.store.duration')
    expect(duration?.dataPoints).toHaveLength(3)
    for (const { attributes } of duration?.dataPoints ?? []) expect(Object.keys(attributes)).not.toContain('error.type')
    const spans = otel.spanExporter.getFinishedSpans()
    expect(spans.map(({ name }) => name)).toEqual(['ratelimit consume', 'ratelimit refund', 'ratelimit reset'])
    for (const { attributes } of spans) expect(Object.keys(attributes)).not.toContain('ratelimit.store.batch_size')
  })

  it('records nothing of a store call traced from before instrument(), and fails nothing', async () => {
    const otel = sdk()
    let answer = (_: unknown) => {}
    const outcome = { allowed: true, remaining: 9, resetAfterMs: 1_000, retryAfterMs: 0, nextQuotaMs: 1_000 }
    const slow = {
      ...failingStore(),
      decide: () =>
        new Promise((resolve) => {
          answer = resolve
        }),
    }
    // Another listener makes the call traced from its start; instrument() comes while it is out.
    const published = recordChannels()
    const decision = new RateLimiter({ store: slow as never, timeoutMs: 10_000 }).consume('k')
    const uninstrument = instrument({ meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider })
    onTestFinished(uninstrument)
    answer({ nowMs: Date.now(), outcomes: [outcome] })
    expect(await decision).toMatchObject({ allowed: true, degraded: false })
    expect(published.map(({ channel }) => channel)).toContain('store:asyncEnd')
    expect(otel.spanExporter.getFinishedSpans()).toEqual([])
    const duration = (await otel.metrics()).find(({ descriptor }) => descriptor.name === 'ratelimit.store.duration')
    expect(duration?.dataPoints ?? []).toEqual([])
  })

  it('refuses an option it does not know, naming it, and options that are no object', () => {
    expect(() => instrument({ meter: {} } as never)).toThrow(/instrument.*\bmeter\b/)
    expect(() => instrument(5 as never)).toThrow('Expected instrument options to be an object, got 5')
  })
})

function failingStore() {
  const refuse = () => Promise.reject(new Error('connection refused'))
  return { decide: refuse, refund: refuse, reset: refuse }
}
