// The Hono hello-world app on @hono/node-server, and each limiter in front of it as its users
// would wire it.
import { createAdaptorServer } from '@hono/node-server'
import { getConnInfo } from '@hono/node-server/conninfo'
import { rateLimit } from 'atomic-ratelimit/hono'
import { Hono } from 'hono'
import { RedisStore, rateLimiter } from 'hono-rate-limiter'
import { honoRedisClient } from '../contenders/peer-clients.js'
import { LIMIT, WINDOW_MS } from '../settings.js'
import { MINIMAL_WRAPPER } from './variants.js'

/** The socket peer: what ours keys on by default, given to the others as their key. */
const clientIp = (c) => getConnInfo(c).remote.address ?? 'unknown'

/** Middleware by variant; each gets the child's ioredis client, our store and the bare script. */
export const limiters = {
  ours: ({ store }) => rateLimit({ store, limit: LIMIT, windowMs: WINDOW_MS }),
  [MINIMAL_WRAPPER]: ({ decideByBareScript }) =>
    async function minimalWrapper(c, next) {
      if ((await decideByBareScript(clientIp(c))) === 'allowed') return next()
      return c.text('Too Many Requests', 429)
    },
  'hono-rate-limiter': ({ client }) =>
    rateLimiter({
      windowMs: WINDOW_MS,
      limit: LIMIT,
      keyGenerator: clientIp,
      store: new RedisStore({ client: honoRedisClient(client) }),
    }),
}

/** An HTTP server answering `GET /` with a greeting, behind `middleware` when given. */
export function createApp(middleware) {
  const app = new Hono()
  if (middleware) app.use(middleware)
  app.get('/', (c) => c.text('Hello World!'))
  return createAdaptorServer({ fetch: app.fetch })
}
