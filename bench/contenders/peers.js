// The peers, each wired as its documentation shows, on the same ioredis client as ours (and
// rate-limit-redis also on node-redis, as its README wires it), with the same limit and window. Reading them, never copying them: each line below is their public API.
import { MemoryStore as ExpressMemoryStore } from 'express-rate-limit'
import { RedisStore as HonoRedisStore } from 'hono-rate-limiter'
import koaRateLimit from 'koa-ratelimit'
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible'
import { LIMIT, WINDOW_MS } from '../settings.js'
import { nodeRedisBeside } from './other-clients.js'
import { expressRedisStore, expressRedisStoreOnNodeRedis, honoRedisClient, prefixOption } from './peer-clients.js'
import { verdictOf, verdictOfHits } from './verdict.js'

/**
 * rate-limiter-flexible's `consume` rejects with its result (not an Error) when the limit is
 * reached, and with an Error when the store fails.
 */
function flexibleDecision(limiter) {
  const refused = (reason) => {
    if (reason instanceof Error) throw reason
    return 'denied'
  }
  return (key) => limiter.consume(key).then(() => 'allowed', refused)
}

/** rate-limiter-flexible's options for our limit and window (its `duration` is in seconds). */
const flexibleOptions = (prefix) => ({
  points: LIMIT,
  duration: WINDOW_MS / 1000,
  ...prefixOption('keyPrefix', prefix),
})

/** An express-rate-limit style store (`init`, then `increment(key)` per hit, allowed up to `limit`). */
export function hitStoreDecision(store, limit = LIMIT) {
  store.init({ windowMs: WINDOW_MS })
  const verdict = verdictOfHits(limit)
  return (key) => store.increment(key).then(verdict)
}

/**
 * koa-ratelimit is middleware only: it runs here on the least context it reads (`ctx.ip` through
 * its default `id`), headers off, and a request is allowed when it calls `next`.
 */
function koaDecision(client, prefix) {
  const options = { driver: 'redis', db: client, duration: WINDOW_MS, max: LIMIT, disableHeader: true }
  const middleware = koaRateLimit({ ...options, ...prefixOption('namespace', prefix) })
  return async (ip) => {
    let allowed = false
    await middleware({ ip, state: {}, set() {} }, async () => {
      allowed = true
    })
    return verdictOf(allowed)
  }
}

/** The peers on Redis; an undefined `prefix` leaves each its own default. */
export const peersOnRedis = [
  {
    id: 'rate-limiter-flexible',
    side: 'peer',
    open: ({ client, prefix }) =>
      flexibleDecision(new RateLimiterRedis({ storeClient: client, ...flexibleOptions(prefix) })),
  },
  {
    id: 'rate-limit-redis',
    side: 'peer',
    open: ({ client, prefix }) => hitStoreDecision(expressRedisStore(client, prefix)),
  },
  {
    id: 'rate-limit-redis, node-redis',
    side: 'peer',
    sendsOwnCommands: true,
    open: async ({ client, prefix }) =>
      hitStoreDecision(expressRedisStoreOnNodeRedis(await nodeRedisBeside(client), prefix)),
  },
  {
    id: 'hono-rate-limiter',
    side: 'peer',
    open: ({ client, prefix }) => {
      const store = new HonoRedisStore({ client: honoRedisClient(client), ...prefixOption('prefix', prefix, ':') })
      return hitStoreDecision(store)
    },
  },
  { id: 'koa-ratelimit', side: 'peer', open: ({ client, prefix }) => koaDecision(client, prefix) },
]

/** The peers' in-process stores. */
export const peersInMemory = [
  {
    id: 'rate-limiter-flexible',
    side: 'peer',
    open: ({ prefix }) => flexibleDecision(new RateLimiterMemory(flexibleOptions(prefix))),
  },
  {
    id: 'express-rate-limit',
    side: 'peer',
    open: ({ defer }) => {
      const store = new ExpressMemoryStore()
      defer(() => store.shutdown())
      return hitStoreDecision(store)
    },
  },
]
