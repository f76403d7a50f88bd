// Our limiter, as a user builds it: one RateLimiter per run on a fresh prefix, `consume(key)` per
// decision, every other option at its default.

import { fixedWindow, gcra, MemoryStore, RateLimiter, RedisStore, slidingWindow, tokenBucket } from 'atomic-ratelimit'
import { LIMIT, WINDOW_MS } from '../settings.js'
import { autoPipelinedBeside, glideBeside, nodeRedisBeside } from './other-clients.js'
import { verdictOfResult } from './verdict.js'

/** One policy per algorithm, and three at once (distinct windows, so their names differ). */
const policies = {
  'fixed-window': (limit) => fixedWindow({ limit, windowMs: WINDOW_MS }),
  'sliding-window': (limit) => slidingWindow({ limit, windowMs: WINDOW_MS }),
  'token-bucket': (limit) => tokenBucket({ limit, windowMs: WINDOW_MS }),
  gcra: (limit) => gcra({ limit, windowMs: WINDOW_MS }),
  'three policies': (limit) => [
    fixedWindow({ limit, windowMs: WINDOW_MS }),
    slidingWindow({ limit, windowMs: 60 * WINDOW_MS }),
    gcra({ limit, windowMs: 1_000 }),
  ],
}

/**
 * Our Redis contenders: each algorithm alone and three policies, without and with coalescing.
 * `open` takes `limit` (default: high enough never to refuse), `prefix` and `timeoutMs` (default:
 * the library's).
 */
export function oursOnRedis() {
  const contenders = []
  for (const coalesce of [false, true]) {
    for (const [name, policy] of Object.entries(policies)) {
      if (coalesce && !['fixed-window', 'three policies'].includes(name)) continue
      contenders.push({
        id: `ours ${name}${coalesce ? ' coalesced' : ''}`,
        side: 'ours',
        open: ({ client, prefix, limit = LIMIT, timeoutMs }) => {
          // `coalesce` explicit on both sides: a changed default cannot move a row across the comparison.
          const store = new RedisStore({ client, coalesce })
          const options = { store, policy: policy(limit), ...(prefix && { prefix }), ...(timeoutMs && { timeoutMs }) }
          return limiterDecision(new RateLimiter(options))
        },
      })
    }
  }
  return [...contenders, ...otherWays]
}

/**
 * The same limiter run other ways a user may choose, coalesced (the default): the scripts as a
 * Functions library (one row with one policy, one with three, whose list then travels in ARGV on
 * every call), Valkey GLIDE, ioredis with autopipelining or node-redis as the client (each on a
 * client of its own, which `sendsOwnCommands` marks: the round-trip count reads the ioredis
 * client's commands only), and the limit given with each call, as a function of the client would
 * give it for plans and tiers.
 */
const otherWays = [
  wayOf('ours fixed-window coalesced, functions', 'fixed-window', { scripts: 'functions' }),
  wayOf('ours three policies coalesced, functions', 'three policies', { scripts: 'functions' }),
  { ...wayOf('ours fixed-window coalesced, GLIDE', 'fixed-window', {}, glideBeside), sendsOwnCommands: true },
  {
    ...wayOf('ours fixed-window coalesced, autopipelining', 'fixed-window', {}, autoPipelinedBeside),
    sendsOwnCommands: true,
  },
  { ...wayOf('ours fixed-window coalesced, node-redis', 'fixed-window', {}, nodeRedisBeside), sendsOwnCommands: true },
  wayOf('ours fixed-window coalesced, limit per request', 'fixed-window', {}, undefined, limitPerRequest),
]

/**
 * `consume(key, { limit })` with the limit of the client's plan: "pro:" clients get ten times the
 * limit (none in these runs, so every decision allows as much as the other rows' and the exactness
 * check still holds), everyone else the limit itself.
 */
function limitPerRequest(limiter, limit) {
  const limitOf = (key) => (key.startsWith('pro:') ? 10 * limit : limit)
  return (key) => limiter.consume(key, { limit: limitOf(key) }).then(verdictOfResult)
}

function wayOf(id, policyName, storeOptions, clientFor = async (client) => client, decisionOf = limiterDecision) {
  return {
    id,
    side: 'ours',
    open: async ({ client, prefix, limit = LIMIT, timeoutMs }) => {
      const store = new RedisStore({ client: await clientFor(client), coalesce: true, ...storeOptions })
      const options = {
        store,
        policy: policies[policyName](limit),
        ...(prefix && { prefix }),
        ...(timeoutMs && { timeoutMs }),
      }
      return decisionOf(new RateLimiter(options), limit)
    },
  }
}

/** Our MemoryStore, one fixed-window policy. */
export const oursInMemory = {
  id: 'ours fixed-window',
  side: 'ours',
  open: ({ prefix }) =>
    limiterDecision(new RateLimiter({ store: new MemoryStore(), policy: policies['fixed-window'](LIMIT), prefix })),
}

/** `consume(key)` as a verdict; a prefix left undefined is the library's default, as for a user. */
function limiterDecision(limiter) {
  return (key) => limiter.consume(key).then(verdictOfResult)
}
