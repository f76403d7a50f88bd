/**
 * Measured apart (npm run bench:floors, npm run bench:allocations): what a run's rows cannot show,
 * how close any limiter with our semantics can come to each target. Kept as written, with its date.
 */
export function floorsSection() {
  return `## Floors under the targets

Measured apart from the run above, on 2026-12-07 on the same machine with nothing else running, at
1c4692d, with \`npm run bench:floors\` (5 interleaved rounds of 1 s per contender; about five
minutes). In memory, one decision after another, a decision written out by hand that returns what
ours returns (a fresh result of \`RateLimitResult\`'s shape with its one-entry list of policy
results; nothing checked, bounded or swept) against express-rate-limit's increment, which hands
back the counter record it keeps:

| contender | keys | decisions/s | express-rate-limit × this |
| --- | --- | --- | --- |
| express-rate-limit (increment) | hot | 7.19M (4.60–7.29) | 1.00× |
| by hand, our result | hot | 5.29M (2.90–5.56) | 1.36× |
| ours fixed-window | hot | 2.95M (1.30–2.99) | 2.43× |
| express-rate-limit (increment) | random | 1.14M (0.95–1.24) | 1.00× |
| by hand, our result | random | 1.40M (1.15–1.69) | 0.82× |
| ours fixed-window | random | 0.77M (0.58–0.87) | 1.49× |

Runs of this table disagree more than their rounds do: the one before, ten minutes earlier on the
same code, gave 1.27 × and 0.74 × by hand, and ours at 2.47 × on a hot key and 1.32 × on random
keys; the main run above 2.84 × and 1.39 ×, and two runs at 25e01ca and 2d94d8b 2.56 to 2.77 × and
1.24 to 1.74 ×.

On Redis, the server's CPU per decision (\`INFO commandstats\`, µs per \`EVALSHA\`, one per decision,
random keys, 64 in flight), of scripts that make only the calls a layout needs and decide nothing
(\`bench/floors/*.lua\`), beside the bare script and ours (\`coalesce: false\`), and the bytes one
client's decision leaves, in the same run:

| contender | Redis µs per decision | × bare script | bytes per client |
| --- | --- | --- | --- |
| bare script (ceiling) | 4.15 (3.12–4.30) | 1.00× | 56 |
| what one policy needs: TIME, GET, SET PX | 7.33 (4.78–7.61) | 1.76× | 88 |
| one policy in a hash, its window going on: TIME, HGET, HSET | 5.31 (3.95–5.61) | 1.28× | 104 |
| one policy in a hash, its window beginning: TIME, HGET, HSET, PEXPIRE NX, PEXPIRE GT | 8.40 (5.54–9.59) | 2.02× | 104 |
| ours fixed-window | 10.37 (8.56–12.53) | 2.50× | 88 |
| three policies as three strings: TIME, 3 GET, 3 SET PX | 11.95 (11.40–16.59) | 2.88× | 248 |
| three policies as one hash: TIME, HMGET, HSET, PEXPIRE | 7.21 (6.19–9.67) | 1.74× | 152 |
| ours three policies | 35.17 (23.98–37.55) | 8.47× | 280 |

Ours fixed-window costs 1.41 × what one policy needs (1.65 × at 2d94d8b, 2.22 × at 54e9812, 1.71 ×
at fa9f308, after the Lua cost round); ours three policies 4.8 × the one-policy floor.

The same per decision when decisions share a call, 32 to a call as coalescing sends them
(\`bench/floors/batch-*.lua\`, 16 calls in flight; the bare script one decision a call and ours
coalesced, both at 512 in flight), inside the script (\`INFO commandstats\`) and for the whole
server (\`INFO cpu\`: reading, parsing and answering each call too). Were Redis the bottleneck, a
contender would make the last column × the bare script's decisions per second:

| contender | script µs per decision | server µs per decision | bare script's server µs ÷ this |
| --- | --- | --- | --- |
| bare script (ceiling) | 3.46 (2.77–3.97) | 5.88 (5.61–7.94) | 1.00× |
| what one policy needs, 32 a call: TIME once, GET and SET PX each | 3.10 (2.74–3.37) | 3.23 (2.84–3.50) | 1.82× |
| ours fixed-window coalesced | 4.93 (4.41–6.78) | 4.99 (4.46–6.71) | 1.18× |
| three policies as three strings, 32 a call | 9.18 (8.88–12.60) | 9.33 (9.01–12.88) | 0.63× |
| three policies as one hash, 32 a call | 4.19 (3.96–7.22) | 4.30 (4.07–7.51) | 1.37× |
| ours three policies coalesced | 14.74 (12.35–20.22) | 15.27 (12.74–20.75) | 0.39× |

One decision in flight, decisions per second, in the same run:

| contender | keys | decisions/s | × bare script |
| --- | --- | --- | --- |
| bare script (ceiling) | hot | 32.8k (27.4–33.3) | 1.00× |
| what one policy needs: TIME, GET, SET PX | hot | 30.1k (26.9–31.5) | 0.92× |
| ours fixed-window coalesced | hot | 22.3k (20.8–23.3) | 0.68× |
| rate-limiter-flexible | hot | 25.2k (22.2–27.4) | 0.77× |
| rate-limit-redis | hot | 27.4k (20.9–29.5) | 0.84× |
| hono-rate-limiter | hot | 27.0k (24.6–31.7) | 0.82× |
| bare script (ceiling) | random | 27.7k (23.0–32.3) | 1.00× |
| what one policy needs: TIME, GET, SET PX | random | 30.0k (29.9–30.3) | 1.09× |
| ours fixed-window coalesced | random | 22.4k (17.5–24.2) | 0.81× |
| rate-limiter-flexible | random | 20.2k (19.2–27.6) | 0.73× |
| rate-limit-redis | random | 25.2k (20.8–26.9) | 0.91× |
| hono-rate-limiter | random | 26.4k (21.5–27.9) | 0.95× |

The run ten minutes before, on the same code, gave the floor 0.91 × and 0.94 ×, ours 0.72 × and
0.75 ×, and the peers 0.79 to 0.87 × and 0.85 to 0.88 ×.

What they say of the targets that fail:

- **Memory store ≥ express-rate-limit on a hot key** cannot be met by a decision that returns a
  fresh result: written by hand with nothing else, it still takes 1.27 to 1.36 × express-rate-limit's
  time. On random keys it can (0.74 to 0.82 ×): there a decision is mostly one lookup in a large
  map, which express-rate-limit makes twice (its current and previous windows). Ours decides 1.11 to
  1.21 × as fast on random keys since the store stopped making a new state object per write (each
  outlived the young generation and was copied out of it; medians of three interleaved A/B runs of
  both builds in one process, 10 rounds each; 0.97 to 1.00 × on a hot key). What is left is spread
  over the decision's steps rather than in one: in a hand-written harness of 100,000 keys (not kept), a state
  object of its own beside the client's record (ours) costs about 3 to 7 % against fields in the
  record, and two more times kept per record about 5 %; ours makes about 1,100 bytes of objects a
  decision against express-rate-limit's 290, counted alike (the request, the store's and the
  guard's decisions, the result with its charge kept for \`refund\`).
- **One in flight ≥ 0.9 × the bare script, and ≥ the fastest peer**: a script that makes only the
  calls our semantics need (the server's clock, the state read, the state written with its expiry)
  and decides nothing reaches 0.91 to 0.92 × on a hot key and 0.94 to 1.09 × on random keys, at
  one in flight, where the time Redis spends on the call is all that differs. Any decision on top
  takes it under 0.9 × on a hot key. The peers make none of those calls (INCR and a PEXPIRE on the
  first hit, no server clock), which is where their lead comes from. Ours spends 1.4 to 1.75 × that
  floor's Redis time: by variants of the script measured by hand (not kept), about 0.9 µs for its
  four ARGV values (a limit, a window, a cost, a time), 0.3 to 0.7 µs for the reply's six numbers
  as text, and the rest in deciding.
- **With coalescing ≥ 2.0 × the bare script at 512 in flight on random keys**: met on the machine of
  2026-11-25 (1.94 to 2.31 × over three runs, an AMD EPYC where the bare script made 60 thousand
  decisions a second at 512 in flight), not on this one (1.09 to 1.36 ×, where it makes 85 to 167
  thousand). Here the whole server spends 5.9 µs on each bare-script call and 3.2 µs per decision
  on the least a coalesced decision needs (its own GET and SET PX, and a share of TIME and of the
  call): were Redis the bottleneck, no limiter with our semantics could pass 1.8 × the bare script
  on this machine. Ours costs the server 5.0 µs per decision coalesced (1.18 ×).
- **HTTP Koa and Hono with coalescing ≥ 0.75 × no limiter**: Hono 0.44 to 0.73 × over the last
  three full runs, with the few lines around the bare script at 0.59 to 0.63 ×: what one Redis call
  a request costs a server that shares its core with redis-server. Ours, coalesced, was above that
  wrapper in the two runs before and below it in the last (0.44 against 0.60 ×, with spreads of
  0.36 to 0.60 and 0.44 to 0.70), which also had Koa at 0.67 × (0.83 the run before) with no change
  to that path.
- **HTTP with coalescing ahead of every peer**: Express's rows on Redis are within one another's
  spread (ours coalesced 0.47 to 0.99 × no limiter over the runs, express-rate-limit with
  rate-limit-redis 0.50 to 0.87 ×, rate-limiter-flexible 0.52 to 0.96 ×), and their medians came out
  in one order or the other from run to run (the last: 0.75 × against 0.67 and 0.72 ×): the Express
  app's own work on the core it shares with redis-server hides a limiter's. Koa shows the order
  clearly (0.67 against 0.54 × in the last run); Hono did in the runs before (0.73 against 0.34 ×)
  and tied in the last (0.44 and 0.44 ×).
- **Three policies ≥ 1.0 × the bare one-policy script** needs the hash layout: with three strings,
  even the calls alone, 32 to a call with nothing decided, cost the server 9.3 µs a decision, 0.63
  × the bare script's rate were Redis the bottleneck; as fields of one hash per client, 4.3 µs, 1.37
  ×. But the hash layout changes every script and the key layout, and limiters that name the same
  policy must still share its quota whether they hold one policy or several, so one-policy
  limiters move to the hash too. For one policy the hash costs Redis less once a window is going on
  (its expiry left as it was set: 5.3 µs against 7.3 for a string written with its TTL) and more
  when a window begins (an expiry that may only grow, as other policies share the key: NX for a new
  hash, then GT, 8.4 µs). And it holds 16 bytes more per client: \`MEMORY USAGE\` grows in steps of
  16 bytes with the key's length, and a one-field hash takes one step more than a string under the
  same key (88 bytes up to 14 characters, 104 up to 31), whatever the field's name. The hash's key
  is shorter: its policy names move into fields, and it needs no hash tag, as a decision would
  touch that one key (a penalty can be a field too). So a client key of up to 11 characters under
  the default prefix (\`rl:\`) stays at 88; a longer one, most IPv4 keys and every IPv6 and hashed
  one, takes 104, past the 101 kept for the fixed window and GCRA. Moving needs that bar raised
  first.

**Allocations** of this round's change (\`npm run bench:allocations\`, heap bytes per decision,
e658a82 → 54e9812): memory store 1,177 → 1,130; Redis one at a time 7,744 → 7,515; Redis 32 at once
(coalesced) 3,600 → 3,234, the store's answer read into its decision in the step that receives it
and the limiter's conclusion run in the step that settles the store's answer (two promises fewer
per coalesced decision). Client CPU per coalesced decision, both builds in one process against one
redis-server, alternating: 5 to 7 % less at 64 and 512 in flight.`
}
