/**
 * Measured apart (npm run bench:floors, npm run bench:allocations): what a run's rows cannot show,
 * how close any limiter with our semantics can come to each target. Kept as written, with its date.
 */
export function floorsSection() {
  return `## Floors under the targets

Measured apart from the run above, on 2026-12-07 on the same machine with nothing else running, at
54e9812, with \`npm run bench:floors\` (5 interleaved rounds of 1 s per contender). In memory, one
decision after another, a decision written out by hand that returns what ours returns (a fresh
result of \`RateLimitResult\`'s shape with its one-entry list of policy results; nothing checked,
bounded or swept) against express-rate-limit's increment, which hands back the counter record it
keeps:

| contender | keys | decisions/s | express-rate-limit × this |
| --- | --- | --- | --- |
| express-rate-limit (increment) | hot | 7.62M (6.41–7.82) | 1.00× |
| by hand, our result | hot | 5.95M (5.13–6.49) | 1.28× |
| ours fixed-window | hot | 3.21M (3.00–3.48) | 2.37× |
| express-rate-limit (increment) | random | 1.12M (0.92–1.33) | 1.00× |
| by hand, our result | random | 1.63M (1.14–1.70) | 0.69× |
| ours fixed-window | random | 0.72M (0.56–0.82) | 1.54× |

On Redis, the server's CPU per decision (\`INFO commandstats\`, µs per \`EVALSHA\`, one per decision,
random keys, 64 in flight), of scripts that make only the calls a layout needs and decide nothing
(\`bench/floors/*.lua\`), beside the bare script and ours (\`coalesce: false\`), and the bytes one
client's decision leaves; measured again at fa9f308, after this round's trim of the scripts' own
work (no table of texts or heads made per call, the Functions library's functions made once):

| contender | Redis µs per decision | × bare script | bytes per client |
| --- | --- | --- | --- |
| bare script (ceiling) | 4.91 (4.89–5.33) | 1.00× | 56 |
| what one policy needs: TIME, GET, SET PX | 8.13 (7.61–8.45) | 1.65× | 88 |
| ours fixed-window | 13.94 (13.43–14.38) | 2.84× | 88 |
| three policies as three strings: TIME, 3 GET, 3 SET PX | 19.35 (18.40–19.76) | 3.94× | 248 |
| three policies as one hash: TIME, HMGET, HSET, PEXPIRE | 10.70 (10.40–11.11) | 2.18× | 152 |
| ours three policies | 43.36 (41.52–44.99) | 8.83× | 280 |

The machine ran slower than at 54e9812 (the bare script 4.91 µs against 2.93), so compare ratios:
ours fixed-window cost 2.22 × what one policy needs at 54e9812 (12.87 µs against 5.80) and 1.71 ×
now; ours three policies 7.2 × and 5.3 ×.

What they say of the targets that fail:

- **Memory store ≥ express-rate-limit on a hot key** cannot be met by a decision that returns a
  fresh result: written by hand with nothing else, it still takes 1.28 × express-rate-limit's time.
  On random keys it can (0.69 ×): there a decision is mostly one lookup in a large map, which
  express-rate-limit makes twice (its current and previous windows). What ours does beyond the
  hand-written one (the request checked, long keys bounded, expired keys swept, the store's
  decision and the guard's, the charge kept for \`refund\`) is 1.9 to 2.2 × its time: what is left
  to win.
- **One in flight ≥ 0.9 × the bare script**: the calls our semantics need (the server's clock, the
  state read, the state written with its expiry) cost Redis 2 × the bare script's INCR before any
  decision is made, and ours spends 1.7 × that floor (2.2 × before this round): what is left of the
  script's own work is mostly turning numbers into text and back (the time, the stored state, the
  TTL, the reply), about 2 thousand instructions each, and an EVALSHA's fixed cost.
- **Three policies ≥ 1.0 × the bare one-policy script**: three keys cost Redis 3 × the calls of
  one; the same three states in one hash per client cost 1.5 × one policy's floor and 152 bytes
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
