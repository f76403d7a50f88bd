// Prometheus metrics of atomic-ratelimit with prom-client, no OpenTelemetry needed: every figure
// comes from the limiter's node:diagnostics_channel channels, and GET /metrics serves them.
//
//   npm run build && node examples/prometheus/main.js              # port 3000 (PORT=0: any free one)
//   REDIS_URL=redis://127.0.0.1:6379 node examples/prometheus/main.js  # store calls timed too
import { subscribe, tracingChannel } from 'node:diagnostics_channel'
import { channelNames, RedisStore } from 'atomic-ratelimit'
import { rateLimit } from 'atomic-ratelimit/express'
import express from 'express'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'

const registry = new Registry()
const decisions = new Counter({
  name: 'ratelimit_decisions_total',
  help: 'Rate limit decisions, by outcome (allowed, denied, degraded) and what decided',
  labelNames: ['prefix', 'policy', 'outcome', 'decided_by'],
  registers: [registry],
})
const storeSeconds = new Histogram({
  name: 'ratelimit_store_duration_seconds',
  help: 'Calls to the rate limit store, until the answer or the failure',
  labelNames: ['prefix', 'operation', 'error_type'],
  buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  registers: [registry],
})
const storeErrors = new Counter({
  name: 'ratelimit_store_errors_total',
  help: 'Rate limit store failures, by kind',
  labelNames: ['prefix', 'operation', 'error_type'],
  registers: [registry],
})
const openBreakers = new Gauge({
  name: 'ratelimit_breakers_open',
  help: 'Circuit breakers around the store that are not closed',
  labelNames: ['prefix'],
  registers: [registry],
})
const blockCacheHits = new Counter({
  name: 'ratelimit_block_cache_hits_total',
  help: 'Denials served in-process by the block cache, with no store call',
  labelNames: ['prefix', 'policy'],
  registers: [registry],
})

subscribe(channelNames.decision, ({ prefix, policy, allowed, degraded, decidedBy }) => {
  const outcome = degraded ? 'degraded' : allowed ? 'allowed' : 'denied'
  decisions.inc({ prefix, policy, outcome, decided_by: decidedBy })
})
subscribe(channelNames.storeError, ({ prefix, operation, errorType }) => {
  storeErrors.inc({ prefix, operation, error_type: errorType })
})
subscribe(channelNames.breaker, ({ prefix, state, previousState }) => {
  openBreakers.inc({ prefix }, Number(state !== 'closed') - Number(previousState !== 'closed'))
})
subscribe(channelNames.blockCache, ({ prefix, policy }) => blockCacheHits.inc({ prefix, policy }))

// Store calls come on a TracingChannel: one object per call from its start to its asyncEnd (or to
// its end, for a call that threw at once). A MemoryStore decides in-process, with no store call.
const timers = new WeakMap()
const stopTimer = (call) => timers.get(call)?.({ error_type: call.errorType ?? '' })
tracingChannel(channelNames.store).subscribe({
  start: (call) => timers.set(call, storeSeconds.startTimer({ prefix: call.prefix, operation: call.operation })),
  end: (call) => call.error && stopTimer(call),
  asyncStart: () => {},
  asyncEnd: stopTimer,
  error: () => {},
})

const store = process.env.REDIS_URL
  ? new RedisStore({ client: new (await import('ioredis')).Redis(process.env.REDIS_URL) })
  : undefined
const app = express()
app.use('/api', rateLimit({ store, prefix: 'api', limit: 100, windowMs: 60_000 }))
app.get('/api/hello', (_req, res) => res.json({ hello: 'world' }))
app.get('/metrics', async (_req, res) => {
  res.type(registry.contentType).send(await registry.metrics())
})

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}`
  console.log(`prometheus example listening on ${url} (${store ? 'Redis' : 'memory'} store)`)
  console.log(`  curl ${url}/api/hello; curl ${url}/metrics`)
})
