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
client's decision leaves:

| contender | Redis µs per decision | × bare script | bytes per client |
| --- | --- | --- | --- |
| bare script (ceiling) | 2.93 (2.57–4.85) | 1.00× | 56 |
| what one policy needs: TIME, GET, SET PX | 5.80 (4.48–8.19) | 1.98× | 88 |
| ours fixed-window | 12.87 (7.45–16.17) | 4.39× | 88 |
| three policies as three strings: TIME, 3 GET, 3 SET PX | 17.79 (11.52–19.00) | 6.06× | 248 |
| three policies as one hash: TIME, HMGET, HSET, PEXPIRE | 8.58 (5.78–10.68) | 2.92× | 152 |
| ours three policies | 41.76 (23.98–44.45) | 14.23× | 280 |

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
  decision is made, and ours spends 2.2 × that floor: the script's own work (building its tables
  and functions on every call, reading and formatting the state) is as large as its Redis calls.
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
