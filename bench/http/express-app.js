// The Express hello-world app, and each limiter in front of it as its users would wire it.
import { createServer } from 'node:http'
import { HitCounterStore, RedisStore } from 'atomic-ratelimit'
import { rateLimit as compatRateLimit } from 'atomic-ratelimit/compat/express-rate-limit'
import { rateLimit } from 'atomic-ratelimit/express'
import express from 'express'
import { rateLimit as expressRateLimit } from 'express-rate-limit'
import { RateLimiterRedis } from 'rate-limiter-flexible'
import { expressRedisStore } from '../contenders/peer-clients.js'
import { LIMIT, WINDOW_MS } from '../settings.js'
import { MINIMAL_WRAPPER } from './variants.js'

/** Middleware by variant; each gets the child's ioredis client, our store and the bare script. */
export const limiters = {
  ours: ({ store }) => rateLimit({ store, limit: LIMIT, windowMs: WINDOW_MS }),
  [MINIMAL_WRAPPER]: ({ decideByBareScript }) =>
    function minimalWrapper(req, res, next) {
      decideByBareScript(req.ip).then((verdict) => (verdict === 'allowed' ? next() : res.sendStatus(429)), next)
    },
  // express-rate-limit kept, counting on our RedisStore with its defaults (coalescing on), as a user wires it.
  'express-rate-limit + HitCounterStore': ({ client }) =>
    expressRateLimit({
      windowMs: WINDOW_MS,
      limit: LIMIT,
      store: new HitCounterStore({ store: new RedisStore({ client }) }),
    }),
  'express-rate-limit + rate-limit-redis': ({ client }) =>
    expressRateLimit({ windowMs: WINDOW_MS, limit: LIMIT, store: expressRedisStore(client, 'erl:') }),
  // The same options for each: on its memory store, with its defaults (legacy headers on for both
  // express-rate-limit and the drop-in entry).
  'express-rate-limit, memory store': () => expressRateLimit({ windowMs: WINDOW_MS, limit: LIMIT }),
  'ours compat/express-rate-limit, memory store': () => compatRateLimit({ windowMs: WINDOW_MS, limit: LIMIT }),
  // rate-limiter-flexible ships no middleware; its README's Express example is this shape.
  'rate-limiter-flexible': ({ client }) => {
    const limiter = new RateLimiterRedis({ storeClient: client, points: LIMIT, duration: WINDOW_MS / 1000 })
    return function flexibleMiddleware(req, res, next) {
      limiter
        .consume(req.ip)
        .then(() => next())
        .catch(() => res.status(429).send('Too Many Requests'))
    }
  },
}

/** An HTTP server answering `GET /` with a greeting, behind `middleware` when given. */
export function createApp(middleware) {
  const app = express()
  if (middleware) app.use(middleware)
  app.get('/', (_req, res) => {
    res.send('Hello World!')
  })
  return createServer(app)
}
