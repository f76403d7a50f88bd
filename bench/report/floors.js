/**
 * Measured apart (npm run bench:floors, npm run bench:allocations): what a run's rows cannot show,
 * how close any limiter with our semantics can come to each target. Kept as written, with its date.
 */
export function floorsSection() {
  return `## Floors under the targets

Measured apart from the run above, on 2026-12-07 on the same machine (AMD EPYC) with nothing else
running, at 785167c, with \`npm run bench:floors\` (5 interleaved rounds of 1 s per contender; about
five minutes). Figures of the floors run an hour before (at d41e689, before the memory store kept
states as numbers) and of runs on a 2-core Intel Xeon are quoted beside them. In memory, one
decision after another, a decision written out by hand that returns what ours returns (a fresh
result of \`RateLimitResult\`'s shape with its one-entry list of policy results; nothing checked,
bounded or swept) against express-rate-limit's increment, which hands back the counter record it
keeps:

| contender | keys | decisions/s | express-rate-limit × this |
| --- | --- | --- | --- |
| express-rate-limit (increment) | hot | 5.84M (5.74–6.10) | 1.00× |
| by hand, our result | hot | 4.99M (4.67–5.45) | 1.17× |
| ours fixed-window | hot | 2.31M (2.29–2.43) | 2.52× |
| express-rate-limit (increment) | random | 0.83M (0.75–1.19) | 1.00× |
| by hand, our result | random | 1.07M (1.03–1.63) | 0.77× |
| ours fixed-window | random | 0.66M (0.52–0.95) | 1.25× |

Runs of this table disagree more than their rounds do: an hour before, by hand 1.22 × and 0.67 ×,
ours 2.35 × and 1.27 ×; on the Xeon, by hand 1.27 to 1.36 × and 0.74 to 0.82 ×, ours 2.43 to 2.77 ×
and 1.24 to 1.74 × over four runs; the main run above, 2.20 × and 1.10 × (2.36 × and 1.47 × in the
main run before states were kept as numbers).

On Redis, the server's CPU per decision (\`INFO commandstats\`, µs per \`EVALSHA\`, one per decision,
random keys, 64 in flight), of scripts that make only the calls a layout needs and decide nothing
(\`bench/floors/*.lua\`), beside the bare script and ours (\`coalesce: false\`), and the bytes one
client's decision leaves, in the same run:

| contender | Redis µs per decision | × bare script | bytes per client |
| --- | --- | --- | --- |
| bare script (ceiling) | 3.00 (2.96–3.88) | 1.00× | 56 |
| what one policy needs: TIME, GET, SET PX | 4.28 (3.77–4.40) | 1.42× | 88 |
| one policy in a hash, its window going on: TIME, HGET, HSET | 3.35 (3.31–3.72) | 1.12× | 104 |
| one policy in a hash, its window beginning: TIME, HGET, HSET, PEXPIRE NX, PEXPIRE GT | 5.33 (5.23–5.67) | 1.78× | 104 |
| ours fixed-window | 6.53 (6.33–8.47) | 2.17× | 88 |
| three policies as three strings: TIME, 3 GET, 3 SET PX | 10.51 (10.36–11.48) | 3.50× | 248 |
| three policies as one hash: TIME, HMGET, HSET, PEXPIRE | 5.38 (5.35–6.07) | 1.79× | 152 |
| ours three policies | 18.98 (17.25–25.28) | 6.32× | 280 |

Ours fixed-window costs 1.53 × what one policy needs (1.56 × an hour before; 1.41 × on the Xeon;
1.65 × at 2d94d8b, 2.22 × at 54e9812, 1.71 × at fa9f308, after the Lua cost round); ours three
policies 4.4 × the one-policy floor.

The same per decision when decisions share a call, 32 to a call as coalescing sends them
(\`bench/floors/batch-*.lua\`, 16 calls in flight; the bare script one decision a call and ours
coalesced, both at 512 in flight), inside the script (\`INFO commandstats\`) and for the whole
server (\`INFO cpu\`: reading, parsing and answering each call too). Were Redis the bottleneck, a
contender would make the last column × the bare script's decisions per second:

| contender | script µs per decision | server µs per decision | bare script's server µs ÷ this |
| --- | --- | --- | --- |
| bare script (ceiling) | 3.11 (3.06–3.16) | 10.36 (10.27–10.75) | 1.00× |
| what one policy needs, 32 a call: TIME once, GET and SET PX each | 2.52 (2.30–2.60) | 2.71 (2.48–2.81) | 3.83× |
| ours fixed-window coalesced | 3.73 (3.68–3.76) | 3.94 (3.87–3.99) | 2.63× |
| three policies as three strings, 32 a call | 8.51 (7.84–8.81) | 8.77 (8.06–9.12) | 1.18× |
| three policies as one hash, 32 a call | 3.64 (3.45–3.73) | 3.84 (3.64–3.95) | 2.70× |
| ours three policies coalesced | 12.65 (12.40–12.80) | 13.12 (12.93–13.38) | 0.79× |

The whole server spends 10.4 µs on a bare-script call here (8.9 an hour before) against 5.9 on the
Xeon, where the same floors gave 1.82 × (one policy), 0.63 × (three strings) and 1.37 × (three in a
hash), and ours 1.18 × and 0.39 ×.

One decision in flight, decisions per second, in the same run:

| contender | keys | decisions/s | × bare script |
| --- | --- | --- | --- |
| bare script (ceiling) | hot | 21.2k (17.0–21.5) | 1.00× |
| what one policy needs: TIME, GET, SET PX | hot | 20.7k (19.1–21.1) | 0.98× |
| ours fixed-window coalesced | hot | 14.7k (13.5–21.5) | 0.69× |
| rate-limiter-flexible | hot | 16.3k (14.7–22.2) | 0.77× |
| rate-limit-redis | hot | 19.8k (16.2–24.4) | 0.93× |
| rate-limit-redis, node-redis | hot | 18.9k (17.2–25.3) | 0.89× |
| hono-rate-limiter | hot | 15.6k (13.7–24.6) | 0.73× |
| bare script (ceiling) | random | 20.1k (17.4–22.9) | 1.00× |
| what one policy needs: TIME, GET, SET PX | random | 19.8k (17.5–20.0) | 0.98× |
| ours fixed-window coalesced | random | 17.0k (13.7–17.4) | 0.84× |
| rate-limiter-flexible | random | 18.3k (14.7–18.5) | 0.91× |
| rate-limit-redis | random | 18.8k (14.5–19.1) | 0.93× |
| rate-limit-redis, node-redis | random | 18.8k (16.7–19.4) | 0.93× |
| hono-rate-limiter | random | 18.4k (15.0–18.9) | 0.92× |

An hour before, the floor made 0.95 × (hot) and 0.94 × (random), ours 0.79 × and 0.85 ×, and the
peers 0.76 to 0.96 × and 0.88 to 0.97 ×; on the Xeon, over two runs, the floor 0.91 to 0.92 × and
0.94 to 1.09 ×, ours 0.68 to 0.72 × and 0.75 to 0.81 ×, the peers 0.77 to 0.87 × and 0.73 to 0.95 ×.

What they say of the targets that fail (in the run above, or in the runs before it):

- **Memory store ≥ express-rate-limit on a hot key** cannot be met by a decision that returns a
  fresh result: written by hand with nothing else, it still takes 1.17 to 1.36 × express-rate-limit's
  time over these runs; reading the clock, which both do once a decision, takes 55 ns here. On
  random keys a decision is mostly memory accesses that miss the cache (a lookup in a large map,
  the client's record), and there ours came to 1.10 × in the run above (1.47 × the run before) since
  each client's state is kept as numbers in its record: by cachegrind (a 1 MB last-level cache, a
  seeded run of 300,000 decisions on 100,000 keys), its reads that miss went from 11.9 to 10.0 a
  decision, against express-rate-limit's 6.8 and 6.3 for the hand-written one. What is left is the
  record that holds several slots and its bounds, and the result's objects: ours makes about 1,100
  bytes of objects a decision against express-rate-limit's 290, counted alike (the request, the
  store's and the guard's decisions, the result with its charge kept for \`refund\`).
- **HTTP Express on memory stores ≥ express-rate-limit's requests per second**: 0.88 × in the run
  above, 0.93 × in the run before it, 1.01 × in an HTTP-only run (\`npm run bench -- --only http\`)
  between the two, 1.01 × and 1.38 × on the Xeon, with that path unchanged. The rows sit within
  each other's spread (in the run above ours 0.84 ×, 0.67 to 1.13, and express-rate-limit 0.99 ×,
  0.80 to 1.29, of the app without a limiter): a decision of about a µs is lost in a request of
  about 200.
- **One in flight ≥ 0.9 × the bare script, and ≥ the fastest peer**: a script that makes only the
  calls our semantics need (the server's clock, the state read, the state written with its expiry)
  and decides nothing reaches 0.91 to 0.98 × over these runs, at one in flight, where the time
  Redis spends on the call is all that differs; the fastest peers, which make none of those calls
  (INCR and a PEXPIRE on the first hit, no server clock), 0.87 to 0.97 ×, above that floor in one
  run. On a hot key a decision has to fit in what is left: 1 to 8 % of the call's time. Ours spends 1.53 × the
  floor's Redis time: by variants of the script measured by hand (not kept), about 0.9 µs for its
  four ARGV values (a limit, a window, a cost, a time), 0.3 to 0.7 µs for the reply's six numbers
  as text, and the rest in deciding.
- **With coalescing ≥ 2.0 × the bare script at 512 in flight on random keys**: met in the run above
  (2.84 ×) and on the AMD EPYC machine of 2026-11-25 (1.94 to 2.31 ×), not on the Xeon (1.09 to
  1.36 ×). Where a bare-script call costs the whole server 5.9 µs (the Xeon), the least a coalesced
  decision needs costs 3.2 µs, so no limiter with our semantics could pass 1.8 × there were Redis
  the bottleneck; here the call costs 10.4 µs and that floor 2.7 µs (3.83 ×).
- **HTTP Koa and Hono with coalescing ≥ 0.75 × no limiter**: Koa 0.80 × and Hono 0.65 × (0.59 to
  0.89) in the run above; 0.73 and 0.74 × in the run before; 0.82 and 0.77 × in the HTTP-only run
  between them; over the four full runs before those, Koa 0.67 to 0.83 × and Hono 0.44 to 0.73 ×.
  The few lines around the bare script made 0.63 and 0.58 × in the run above: what one Redis call a
  request costs a server that shares its core with redis-server.
- **HTTP with coalescing ahead of every peer**: met in the run above (Express 0.86 × against 0.68
  and 0.72 ×, Koa 0.80 against 0.43 ×, Hono 0.65 against 0.47 ×) and in the runs before it on this
  machine. On the Xeon Express's rows were within one another's spread and Hono tied once (0.44 and
  0.44 ×).
- **Three policies ≥ 1.0 × the bare one-policy script**: 0.89 × in the run above (0.80 × the run
  before). With three strings, even the calls alone, 32 to a call with nothing decided, reach 1.18 ×
  here were Redis the bottleneck (0.98 × an hour before, 0.63 × on the Xeon), and ours 0.79 ×;
  as fields of one hash per client, 2.70 ×. But the hash layout changes every script and the key
  layout, and limiters that name the same policy must still share its quota whether they hold one
  policy or several, so one-policy limiters move to the hash too. For one policy the hash costs
  Redis less once a window is going on (its expiry left as it was set: 3.4 µs against 4.3 for a
  string written with its TTL) and more when a window begins (an expiry that may only grow, as
  other policies share the key: NX for a new hash, then GT, 5.3 µs). And it holds 16 bytes more
  per client: \`MEMORY USAGE\` grows in steps of 16 bytes with the key's length, and a one-field hash
  takes one step more than a string under the same key (88 bytes up to 14 characters, 104 up to
  31), whatever the field's name. The hash's key is shorter: its policy names move into fields, and
  it needs no hash tag, as a decision would touch that one key (a penalty can be a field too). So a
  client key of up to 11 characters under the default prefix (\`rl:\`) stays at 88; a longer one,
  most IPv4 keys and every IPv6 and hashed one, takes 104, past the 101 kept for the fixed window
  and GCRA. Moving needs that bar raised first, and would make most one-policy limiters, the common
  case, pay 16 bytes a client for the speed of the rarer several-policy ones.

**Allocations** of this round's change (\`npm run bench:allocations\`, heap bytes per decision,
e658a82 → 54e9812): memory store 1,177 → 1,130; Redis one at a time 7,744 → 7,515; Redis 32 at once
(coalesced) 3,600 → 3,234, the store's answer read into its decision in the step that receives it
and the limiter's conclusion run in the step that settles the store's answer (two promises fewer
per coalesced decision). Client CPU per coalesced decision, both builds in one process against one
redis-server, alternating: 5 to 7 % less at 64 and 512 in flight.`
}
