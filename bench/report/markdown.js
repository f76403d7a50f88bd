// BENCHMARKS.md: every table of one run, the command and machine that produced it, and the
// issue's targets judged on it.
import { keysLabel } from '../keys.js'
import { addressesSection } from './addresses.js'
import { floorsSection } from './floors.js'
import { rateCell, ratio, ratioCell, table } from './format.js'
import { sentTotal } from './targets.js'

/** The whole document. */
export function benchmarksMarkdown({ meta, addresses, decisions, cores, http, bytes, trips, exactness, verdicts }) {
  return [
    header(meta),
    targetsSection(verdicts),
    decisions && redisSection(decisions, meta),
    decisions && memorySection(decisions),
    cores && ownCoreSection(cores),
    http && httpSection(http, meta),
    bytes && bytesSection(bytes),
    trips && tripsSection(trips),
    exactness && exactnessSection(exactness),
    addresses && addressesSection(addresses),
    floorsSection(),
    channelsCostSection(),
    wiringSection(),
  ]
    .filter(Boolean)
    .join('\n\n')
}

function header(meta) {
  return `# Benchmarks

Produced by \`${meta.command}\` on ${meta.date}: Node ${meta.node}, Redis ${meta.redis} (a
redis-server the benchmark starts for itself, persistence off), ioredis ${meta.ioredis}, on
${meta.machine}. ${meta.rounds} interleaved round${meta.rounds === 1 ? '' : 's'}: each round runs
every contender once, in random order, so drift on the shared machine lands on all alike; figures
are medians across rounds with the min–max in brackets. Every limit is high enough that no decision
is refused: this is the cost of the normal, allowed path. A ⚠ marks a row where some run had a
refusal, an error or (ours) a \`degraded\` decision, which makes it invalid.

![ratio to the bare script](bench/results.svg)

Targets and ratios compare figures of this one run only: regenerate them all with
\`npm run bench\` on a quiet machine (\`-- --quick\` for a rough look in under 2 minutes).`
}

function targetsSection(verdicts) {
  const rows = verdicts.map(({ target, measured, verdict }) => [target, measured, `**${verdict}**`])
  return `## Targets of issue 23\n\n${table(['target', 'measured', 'result'], rows)}`
}

function redisSection(decisions, meta) {
  const tables = ['hot', 'random'].map(
    (keys) =>
      `### ${keys === 'hot' ? 'One hot key' : `Random keys (uniform over ${meta.randomKeys.toLocaleString('en-US')})`}\n\n${redisTable(decisions, keys)}`,
  )
  return `## Decisions per second on Redis

One ioredis client (autopipelining off) in one Node process keeps C decisions in flight for
${meta.decisionSeconds} s per run (after a warm-up), on a fresh prefix and an emptied database.
\`× script\`: in each round, the contender's decisions per second over the bare fixed-window
script's (INCR, PEXPIRE on the first hit; EVALSHA) in that round; the median of those ratios.
Three policies: a fixed window per minute, a sliding window per hour and GCRA per second, decided
in one call.

${tables.join('\n\n')}`
}

/** Every contender of the Redis cells with `keys`: decisions/s at each concurrency, and × the bare script. */
function redisTable(figures, keys) {
  const cells = figures.cells.filter((cell) => cell.store === 'redis' && cell.keys === keys)
  const rows = [...cells[0].rows.keys()].map((id) => [
    id,
    ...cells.flatMap((cell) => {
      const row = cell.rows.get(id)
      return [rateCell(row), ratio(row?.ratio)]
    }),
  ])
  const header = ['contender', ...cells.flatMap((cell) => [`${cell.concurrency} in flight, /s`, '× script'])]
  return table(header, rows)
}

function ownCoreSection(cores) {
  const heading = '## Redis on a core of its own'
  if (cores.skipped) return `${heading}\n\nNot measured: ${cores.skipped}.`
  return `${heading}

Every other table comes from cores that the benchmark's process and redis-server share, so a
script that costs Redis more CPU also takes it from the client. Here redis-server runs alone on
CPU ${cores.redisCpu}, the benchmark's process on CPU ${cores.clientCpus} (\`taskset\`, every thread),
on random keys, in interleaved rounds as above: the ratios as they would be with Redis on a
machine of its own.

${redisTable(cores, 'random')}`
}

function memorySection(decisions) {
  const cells = decisions.cells.filter((cell) => cell.store === 'memory')
  const ids = [...cells[0].rows.keys()]
  const rows = ids.map((id) =>
    cells.flatMap((cell) => {
      const row = cell.rows.get(id)
      return [rateCell(row), ratio(row?.ratio)]
    }),
  )
  const header = ['contender', ...cells.flatMap((cell) => [`${keysLabel(cell.keys)}, /s`, '× ours'])]
  return `## Decisions per second in memory (one core)

The in-process stores, one fixed-window policy, one decision after another (\`await\` each), in
a Node process of their own: in the benchmark's main process, our limiter would bring along its
code as compiled for the Redis runs, which no app deciding in memory runs (the peers' memory
stores share no code with their Redis paths).

${table(
  header,
  rows.map((cells, index) => [ids[index], ...cells]),
)}`
}

function httpSection(http, meta) {
  const tables = http.cells.map((cell) => {
    const rows = [...cell.rows.values()].map((row) => [
      row.id,
      rateCell(row),
      ratioCell(row),
      row.p50 ?? '–',
      row.p99 ?? '–',
    ])
    return `### ${cell.framework}\n\n${table(['variant', 'req/s', '× no limiter', 'p50 ms', 'p99 ms'], rows)}`
  })
  const { pinned } = http
  const where = pinned?.serverCpu
    ? `the servers and redis-server pinned to CPU ${pinned.serverCpu}, autocannon to CPU ${pinned.clientCpus} (\`taskset\`, every thread)`
    : `nothing pinned (${pinned?.skipped ?? 'not recorded'}): the servers, Redis and autocannon share the cores`
  return `## HTTP

A hello-world app per framework (Express ${meta.express}, Koa ${meta.koa}, Hono ${meta.hono} on
@hono/node-server), each variant in a Node process of its own, driven by autocannon
(${meta.connections} connections, ${meta.httpSeconds} s per run) from the benchmark's process,
${where}. Every request comes from 127.0.0.1, so every limiter decides on one hot key. The Express
rows on a memory store decide in the app's process, with no Redis. \`× no limiter\`: in each round,
the variant's requests per second over the app's without a limiter in that round; the median of
those ratios, and their least and greatest. Latencies are autocannon's, medians across rounds.

${tables.join('\n\n')}`
}

function bytesSection(bytes) {
  const rows = bytes.map((row) => [
    row.id,
    row.keys.map(({ key, type }) => `\`${key}\` (${type})`).join('<br>'),
    row.bytes,
  ])
  return `## Redis bytes per tracked key

One decision for the client key \`203.0.113.7\` on an empty database, then \`MEMORY USAGE\` of every
key written. Each limiter keeps its default prefix; ours its default policy name.

${table(['contender', 'keys written', 'bytes'], rows)}`
}

function tripsSection(trips) {
  const format = (counts) =>
    Object.entries(counts)
      .sort(([, a], [, b]) => b - a)
      .map(([name, calls]) => `${name} ${calls.toFixed(2)}`)
      .join(', ')
  const ranTotal = (row) => Object.values(row.ran).reduce((sum, calls) => sum + calls, 0)
  const rows = trips.map((row) => [
    row.id,
    sentTotal(row).toFixed(2),
    format(row.sent),
    ranTotal(row).toFixed(2),
    format(row.ran),
    row.redisMicros.toFixed(1),
    row.clientMicros.toFixed(1),
  ])
  return `## Round trips per decision

${trips[0]?.decisions.toLocaleString('en-US')} decisions per contender, 64 in flight, random keys. *Sent*: commands the ioredis client sent, each one
request and its reply (a round trip). *Run*: \`INFO commandstats\` after \`CONFIG RESETSTAT\`,
which also counts the commands a script runs inside Redis. *Redis µs*: the CPU time Redis spent on
the sent commands (commandstats \`usec\`, a script's own work included), per decision. *Client µs*:
this Node process's CPU time (user + system), per decision. On 2 cores shared by both, their sum
bounds the decisions per second.

${table(['contender', 'sent / decision', 'sent, by command', 'run in Redis / decision', 'run, by command', 'Redis µs / decision', 'client µs / decision'], rows)}`
}

function exactnessSection(exactness) {
  const rows = exactness.map((row) => [
    row.id,
    `${row.allowed} of ${row.concurrent.toLocaleString('en-US')}`,
    row.limit,
    row.degraded,
  ])
  return `## Exactness under the same load

${exactness[0]?.concurrent.toLocaleString('en-US')} concurrent \`consume\` calls on one key, limit ${exactness[0]?.limit}: exactly the limit must pass.

${table(['contender', 'allowed', 'limit', 'degraded'], rows)}`
}

/**
 * Measured apart (npm run bench:allocations, and an A/B of the two builds in one process): the
 * rows of a run cannot show a cost of a few ns on a shared machine. Kept as written, with its date.
 */
function channelsCostSection() {
  return `## Cost of the diagnostics channels

Measured apart from the run above, on 2026-12-06 on the same machine, against the build of the
commit before the channels (same Node 20.20.2, same redis-server), because the figures above move
by far more than a few branches could cost: with load from other work on the 2 cores (load average
4 to 9), one build's \`npm run bench -- --quick\` rows varied 2 to 3 × between runs (four runs per
build, alternating: in memory on one key 2.10M to 2.73M decisions/s before the channels, 1.39M to
2.31M after; coalesced on Redis at 512 in flight on random keys 27.5k to 90.1k before, 26.0k to
85.8k after).

**Allocations** (\`npm run bench:allocations [-- <dist of another build>]\`): heap bytes per
decision, counted with a young generation of 512 MB so that no collection runs while counting (a
run that one interrupts is counted again). Bytes do not move with the load. Each figure is the
median over three processes, alternating builds, of each process's median of five runs; the
range is that of the three processes.

| workload | before the channels | channels, nobody listening | a subscriber on every channel |
| --- | --- | --- | --- |
| memory store, one decision at a time (100,000 per run) | 1,470 B (1,468–1,487) | 1,470 B (1,470–1,474) | 2,122 B (2,119–2,136) |
| Redis, one at a time (10,240 per run) | 8,506 B (8,488–8,571) | 8,493 B (8,449–8,526) | 10,241 B (10,236–10,256) |
| Redis, 32 at once: coalesced (20,480 per run) | 3,606 B (3,604–3,609) | 3,607 B (3,597–3,613) | 5,625 B (5,624–5,634) |

With nobody listening, a decision allocates what it did before the channels, within the spread
between processes of one build. Every publishing point asks \`hasSubscribers\` before building a
message; the partition key is hashed, the error copied and the store call timed only then. Where
a value must cross the store call only for observers (the store's batch size, the decision's
start time), it travels on a path taken only while someone listens, since one more field or
captured variable would cost 8 bytes on every decision. With every channel listened to, a
decision costs 650 bytes more in memory (its message, its partition key) and about 1.7 to 2 KB
more on Redis (the store call's context and its five events).

**Time**, in memory on one key, where a decision is shortest (300 to 500 ns on this machine): both
builds loaded in one process, alternating blocks of 200,000 decisions, 30 blocks each, so that the
machine's load falls on both alike: median 519 and 527 ns per decision before the channels, 494 and
492 ns with them and nobody listening (two processes).`
}

function wiringSection() {
  return `## How each contender is wired

- **bare script**: \`bench/bare-fixed-window.lua\`, loaded with \`SCRIPT LOAD\`, fired with \`client.evalsha\`;
  *node-redis*: the same script through a node-redis (v5) client with its defaults,
  \`sendCommand(['EVALSHA', …])\`, which writes the calls of one turn of the event loop in one go: the
  ceiling a node-redis user compares with (a reference row: ratios stay to the ioredis one).
- **ours**: \`new RateLimiter({ store: new RedisStore({ client }), policy, prefix })\`, \`limiter.consume(key)\`;
  \`coalesce: false | true\` explicit when the build has the option. Memory: \`new MemoryStore()\`.
  *GLIDE*, *autopipelining*, *node-redis*: the same on a client of that kind of its own, on the same server.
- **ours HitCounterStore**: \`new HitCounterStore({ store: new RedisStore({ client }) })\` (coalescing on, its default),
  \`init({ windowMs })\`, \`increment(key)\`, allowed while \`totalHits\` is within the limit, as express-rate-limit
  decides; in HTTP behind express-rate-limit's \`rateLimit({ store })\`.
- **rate-limiter-flexible**: \`new RateLimiterRedis({ storeClient: client, points, duration })\`, \`consume(key)\`;
  \`RateLimiterMemory\` in memory.
- **rate-limit-redis**: \`new RedisStore({ sendCommand: (command, ...args) => client.call(command, ...args) })\`,
  \`init({ windowMs })\`, \`increment(key)\`; in HTTP behind express-rate-limit's \`rateLimit({ store })\`.
  *node-redis*: \`sendCommand: (...args) => client.sendCommand(args)\`, as its README wires node-redis.
- **hono-rate-limiter**: its bundled \`RedisStore\` over a four-method adapter of the ioredis client
  (\`scriptLoad\`, \`evalsha\`, \`decr\`, \`del\`, the interface it documents), \`init\`, \`increment(key)\`;
  in HTTP behind \`rateLimiter({ store, keyGenerator })\`, keyed on the socket address.
- **koa-ratelimit**: \`ratelimit({ driver: 'redis', db: client, duration, max })\`; in the decision runs
  its middleware is called with a minimal context (\`ctx.ip\`), headers off.
- **express-rate-limit** (memory): its \`MemoryStore\`, \`init\`, \`increment(key)\`.
- **minimal wrapper** (HTTP): a few lines of middleware around the bare script, keyed on the client IP.`
}
