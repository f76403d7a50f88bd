/**
 * Measured apart (npm run bench:floors, npm run bench:allocations): what a run's rows cannot show,
 * how close any limiter with our semantics can come to each target. Kept as written, with its date.
 */
export function floorsSection() {
  return `## Floors under the targets

Measured apart from the run above, on 2026-12-07 on the same machine with nothing else running, at
2d94d8b, with \`npm run bench:floors\` (5 interleaved rounds of 1 s per contender). In memory, one
decision after another, a decision written out by hand that returns what ours returns (a fresh
result of \`RateLimitResult\`'s shape with its one-entry list of policy results; nothing checked,
bounded or swept) against express-rate-limit's increment, which hands back the counter record it
keeps:

| contender | keys | decisions/s | express-rate-limit × this |
| --- | --- | --- | --- |
| express-rate-limit (increment) | hot | 3.48M (3.37–4.77) | 1.00× |
| by hand, our result | hot | 2.73M (2.59–3.02) | 1.27× |
| ours fixed-window | hot | 1.25M (1.14–1.27) | 2.77× |
| express-rate-limit (increment) | random | 0.94M (0.70–0.98) | 1.00× |
| by hand, our result | random | 1.22M (0.94–1.24) | 0.77× |
| ours fixed-window | random | 0.54M (0.50–0.67) | 1.74× |

Runs of this table disagree more than their rounds do: the one before, half an hour earlier at 25e01ca
(the same code), gave ours at 2.56 × on a hot key and 1.24 × on random keys, and the main run
above 2.84 × and 1.39 ×.

On Redis, the server's CPU per decision (\`INFO commandstats\`, µs per \`EVALSHA\`, one per decision,
random keys, 64 in flight), of scripts that make only the calls a layout needs and decide nothing
(\`bench/floors/*.lua\`), beside the bare script and ours (\`coalesce: false\`), and the bytes one
client's decision leaves, in the same run:

| contender | Redis µs per decision | × bare script | bytes per client |
| --- | --- | --- | --- |
| bare script (ceiling) | 3.98 (3.69–4.95) | 1.00× | 56 |
| what one policy needs: TIME, GET, SET PX | 8.14 (6.48–8.18) | 2.04× | 88 |
| one policy in a hash, its window going on: TIME, HGET, HSET | 6.02 (4.37–6.18) | 1.51× | 104 |
| one policy in a hash, its window beginning: TIME, HGET, HSET, PEXPIRE NX, PEXPIRE GT | 10.04 (7.65–10.91) | 2.52× | 104 |
| ours fixed-window | 13.47 (11.16–13.66) | 3.38× | 88 |
| three policies as three strings: TIME, 3 GET, 3 SET PX | 17.96 (15.16–19.05) | 4.51× | 248 |
| three policies as one hash: TIME, HMGET, HSET, PEXPIRE | 10.41 (8.13–10.81) | 2.61× | 152 |
| ours three policies | 38.66 (29.48–42.06) | 9.70× | 280 |

Ours fixed-window costs 1.65 × what one policy needs (2.22 × at 54e9812, 1.71 × at fa9f308, after
the Lua cost round); ours three policies 4.7 × the one-policy floor (7.2 × at 54e9812).

What they say of the targets that fail:

- **Memory store ≥ express-rate-limit on a hot key** cannot be met by a decision that returns a
  fresh result: written by hand with nothing else, it still takes 1.27 to 1.31 × express-rate-limit's
  time. On random keys it can (0.70 to 0.77 ×): there a decision is mostly one lookup in a large
  map, which express-rate-limit makes twice (its current and previous windows). Ours decides 1.11 to
  1.21 × as fast on random keys since the store stopped making a new state object per write (each
  outlived the young generation and was copied out of it; medians of three interleaved A/B runs of
  both builds in one process, 10 rounds each; 0.97 to 1.00 × on a hot key). What is left: the hop from a client's record to its state
  object (a second memory access on a large map, which the hand-written counter, kept in the map
  itself, does not make) and the objects a decision makes (about 1,100 bytes a decision against
  express-rate-limit's 290, counted alike: the request, the store's and the guard's decisions, the
  result with its charge kept for \`refund\`).
- **One in flight ≥ 0.9 × the bare script**: the calls our semantics need (the server's clock, the
  state read, the state written with its expiry) cost Redis 1.7 to 2.0 × the bare script's whole
  call before any decision is made, and ours spends 1.65 to 1.75 × that floor: what is left of the script's own
  work is mostly turning numbers into text and back (the time, the stored state, the TTL, the
  reply), about 2 thousand instructions each, and an EVALSHA's fixed cost.
- **With coalescing ≥ 2.0 × the bare script at 512 in flight on random keys**: met on the machine of
  2026-11-25 (1.94 to 2.31 × over three runs, an AMD EPYC where the bare script made 60 thousand
  decisions a second at 512 in flight), not on this one (1.09 to 1.36 ×, where it makes 85 to 167
  thousand): here a whole bare-script call costs Redis about what one coalesced decision's own
  GET and SET PX do (4.3 to 4.9 µs a request in a batch), so with Redis the bottleneck,
  coalescing's edge is what it saves the client and the network.
- **HTTP Hono with coalescing ≥ 0.75 × no limiter**: 0.60 to 0.73 × over the last two runs, with the
  few lines around the bare script at 0.59 to 0.63 ×: what one Redis call a request costs a server
  that shares its core with redis-server; ours, coalesced, is above that wrapper in both.
- **HTTP with coalescing ahead of every peer, Express**: its rows on Redis are within one another's
  spread (ours coalesced 0.47 to 0.99 × no limiter, express-rate-limit with rate-limit-redis 0.50 to
  0.87 ×, rate-limiter-flexible 0.52 to 0.96 ×), and their medians came out in another order in the
  run before (0.78 × against 0.69 and 0.75 ×): the Express app's own work on the core it shares with
  redis-server hides a limiter's. Koa and Hono, whose apps cost less, show the order clearly.
- **Three policies ≥ 1.0 × the bare one-policy script**: three keys cost Redis 3 × the calls of
  one; the same three states in one hash per client cost 1.3 × one policy's floor and 152 bytes
  against 248. The measurements favour the hash: it changes every script and the key layout, and
  limiters that name the same policy must still share its quota whether they hold one policy or
  several, so one-policy limiters move to the hash too. For one policy the hash costs Redis less
  once a window is going on (its expiry left as it was set: 6.0 µs against 8.1 for a string
  written with its TTL) and more when a window begins (an expiry that may only grow, as other
  policies share the key: NX for a new hash, then GT, 10.0 µs), so it is cheaper from a client's
  second decision in a window; but it holds 104 bytes against 88 with a field name of 3 characters
  (the default policy name has 11), past the 101 kept for the fixed window and GCRA.

**Allocations** of this round's change (\`npm run bench:allocations\`, heap bytes per decision,
e658a82 → 54e9812): memory store 1,177 → 1,130; Redis one at a time 7,744 → 7,515; Redis 32 at once
(coalesced) 3,600 → 3,234, the store's answer read into its decision in the step that receives it
and the limiter's conclusion run in the step that settles the store's answer (two promises fewer
per coalesced decision). Client CPU per coalesced decision, both builds in one process against one
redis-server, alternating: 5 to 7 % less at 64 and 512 in flight.`
}
