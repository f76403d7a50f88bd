// The peers, each wired as its documentation shows, on the same ioredis client as ours, with the
// same limit and window. Reading them, never copying them: each line below is their public API.
import { MemoryStore as ExpressMemoryStore } from 'express-rate-limit'
import { RedisStore as HonoRedisStore } from 'hono-rate-limiter'
import koaRateLimit from 'koa-ratelimit'
import { RedisStore as ExpressRedisStore } from 'rate-limit-redis'
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible'
import { LIMIT, WINDOW_MS } from '../settings.js'
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

/** The client seam hono-rate-limiter's RedisStore documents (Upstash-shaped), over ioredis. */
export function honoRedisClient(client) {
  return {
    scriptLoad: (script) => client.script('LOAD', script),
    evalsha: (sha1, keys, args) => client.evalsha(sha1, keys.length, ...keys, ...args),
    decr: (key) => client.decr(key),
    del: (key) => client.del(key),
  }
}

/** rate-limit-redis's documented ioredis wiring: every command through `call`. */
export function expressRedisStore(client, prefix) {
  return new ExpressRedisStore({ sendCommand: (command, ...args) => client.call(command, ...args), prefix })
}

/** An express-rate-limit style store (`init`, then `increment(key)` per hit). */
function hitStoreDecision(store) {
  store.init({ windowMs: WINDOW_MS })
  const verdict = verdictOfHits(LIMIT)
  return (key) => store.increment(key).then(verdict)
}

/**
 * koa-ratelimit is middleware only: it runs here on the least context it reads (`ctx.ip` through
 * its default `id`), headers off, and a request is allowed when it calls `next`.
 */
function koaDecision(client, prefix) {
  const middleware = koaRateLimit({
    driver: 'redis',
    db: client,
    duration: WINDOW_MS,
    max: LIMIT,
    disableHeader: true,
    namespace: prefix,
  })
  return async (ip) => {
    let allowed = false
    await middleware({ ip, state: {}, set() {} }, async () => {
      allowed = true
    })
    return verdictOf(allowed)
  }
}

/** The peers on Redis. */
export const peersOnRedis = [
  {
    id: 'rate-limiter-flexible',
    side: 'peer',
    open: ({ client, prefix }) =>
      flexibleDecision(
        new RateLimiterRedis({ storeClient: client, points: LIMIT, duration: WINDOW_MS / 1000, keyPrefix: prefix }),
      ),
  },
  {
    id: 'rate-limit-redis',
    side: 'peer',
    open: ({ client, prefix }) => hitStoreDecision(expressRedisStore(client, `${prefix}:`)),
  },
  {
    id: 'hono-rate-limiter',
    side: 'peer',
    open: ({ client, prefix }) =>
      hitStoreDecision(new HonoRedisStore({ client: honoRedisClient(client), prefix: `${prefix}:` })),
  },
  { id: 'koa-ratelimit', side: 'peer', open: ({ client, prefix }) => koaDecision(client, prefix) },
]

/** The peers' in-process stores. */
export const peersInMemory = [
  {
    id: 'rate-limiter-flexible',
    side: 'peer',
    open: ({ prefix }) =>
      flexibleDecision(new RateLimiterMemory({ points: LIMIT, duration: WINDOW_MS / 1000, keyPrefix: prefix })),
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
