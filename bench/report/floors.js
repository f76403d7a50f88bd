/**
 * Measured apart (npm run bench:floors, npm run bench:allocations): what a run's rows cannot show,
 * how close any limiter with our semantics can come to each target. Kept as written, with its date.
 */
export function floorsSection() {
  return `## Floors under the targets

Measured apart from the run above, on 2026-12-07 on the same machine with nothing else running, at
25e01ca (the memory store writing a client's state in place), with \`npm run bench:floors\` (5
interleaved rounds of 1 s per contender). In memory, one decision after another, a decision written
out by hand that returns what ours returns (a fresh result of \`RateLimitResult\`'s shape with its
one-entry list of policy results; nothing checked, bounded or swept) against express-rate-limit's
increment, which hands back the counter record it keeps:

| contender | keys | decisions/s | express-rate-limit × this |
| --- | --- | --- | --- |
| express-rate-limit (increment) | hot | 4.48M (3.81–5.01) | 1.00× |
| by hand, our result | hot | 3.42M (2.88–4.03) | 1.31× |
| ours fixed-window | hot | 1.75M (1.48–2.10) | 2.56× |
| express-rate-limit (increment) | random | 0.85M (0.84–1.06) | 1.00× |
| by hand, our result | random | 1.21M (0.88–1.24) | 0.70× |
| ours fixed-window | random | 0.69M (0.61–0.71) | 1.24× |

On Redis, the server's CPU per decision (\`INFO commandstats\`, µs per \`EVALSHA\`, one per decision,
random keys, 64 in flight), of scripts that make only the calls a layout needs and decide nothing
(\`bench/floors/*.lua\`), beside the bare script and ours (\`coalesce: false\`), and the bytes one
client's decision leaves, in the same run:

| contender | Redis µs per decision | × bare script | bytes per client |
| --- | --- | --- | --- |
| bare script (ceiling) | 4.51 (3.65–4.98) | 1.00× | 56 |
| what one policy needs: TIME, GET, SET PX | 7.54 (5.68–7.94) | 1.67× | 88 |
| ours fixed-window | 13.23 (12.10–14.40) | 2.93× | 88 |
| three policies as three strings: TIME, 3 GET, 3 SET PX | 18.07 (14.57–18.44) | 4.01× | 248 |
| three policies as one hash: TIME, HMGET, HSET, PEXPIRE | 10.37 (7.86–10.78) | 2.30× | 152 |
| ours three policies | 35.76 (26.14–39.69) | 7.93× | 280 |

Ours fixed-window costs 1.75 × what one policy needs (2.22 × at 54e9812, 1.71 × at fa9f308, after
the Lua cost round); ours three policies 4.7 × the one-policy floor (7.2 × at 54e9812).

What they say of the targets that fail:

- **Memory store ≥ express-rate-limit on a hot key** cannot be met by a decision that returns a
  fresh result: written by hand with nothing else, it still takes 1.31 × express-rate-limit's time.
  On random keys it can (0.70 ×): there a decision is mostly one lookup in a large map, which
  express-rate-limit makes twice (its current and previous windows). Ours went from 1.54 × to
  1.24 × express-rate-limit's time on random keys when the store stopped making a new state object
  per write (each outlived the young generation and was copied out of it). What is left: the hop
  from a client's record to its state object (a second memory access on a large map, which the
  hand-written counter, kept in the map itself, does not make) and the objects a decision makes
  (about 1,100 bytes a decision against express-rate-limit's 290, counted alike: the request, the
  store's and the guard's decisions, the result with its charge kept for \`refund\`).
- **One in flight ≥ 0.9 × the bare script**: the calls our semantics need (the server's clock, the
  state read, the state written with its expiry) cost Redis 1.7 × the bare script's whole call
  before any decision is made, and ours spends 1.75 × that floor: what is left of the script's own
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
  one; the same three states in one hash per client cost 1.4 × one policy's floor and 152 bytes
  against 248. The measurements favour the hash: it changes every script and the key layout, and
  limiters that name the same policy must still share its quota whether they hold one policy or
  several, so one-policy limiters move to the hash too.

**Allocations** of this round's change (\`npm run bench:allocations\`, heap bytes per decision,
e658a82 → 54e9812): memory store 1,177 → 1,130; Redis one at a time 7,744 → 7,515; Redis 32 at once
(coalesced) 3,600 → 3,234, the store's answer read into its decision in the step that receives it
and the limiter's conclusion run in the step that settles the store's answer (two promises fewer
per coalesced decision). Client CPU per coalesced decision, both builds in one process against one
redis-server, alternating: 5 to 7 % less at 64 and 512 in flight.`
}
