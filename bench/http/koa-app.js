// The Koa hello-world app, and each limiter in front of it as its users would wire it.
import { createServer } from 'node:http'
import { rateLimit } from 'atomic-ratelimit/koa'
import Koa from 'koa'
import koaRateLimit from 'koa-ratelimit'
import { LIMIT, WINDOW_MS } from '../settings.js'
import { MINIMAL_WRAPPER } from './variants.js'

/** Middleware by variant; each gets the child's ioredis client, our store and the bare script. */
export const limiters = {
  ours: ({ store }) => rateLimit({ store, limit: LIMIT, windowMs: WINDOW_MS }),
  [MINIMAL_WRAPPER]: ({ decideByBareScript }) =>
    async function minimalWrapper(ctx, next) {
      if ((await decideByBareScript(ctx.ip)) === 'allowed') return next()
      ctx.status = 429
    },
  'koa-ratelimit': ({ client }) => koaRateLimit({ driver: 'redis', db: client, duration: WINDOW_MS, max: LIMIT }),
}

/** An HTTP server answering `GET /` with a greeting, behind `middleware` when given. */
export function createApp(middleware) {
  const app = new Koa()
  if (middleware) app.use(middleware)
  app.use((ctx) => {
    ctx.body = 'Hello World!'
  })
  return createServer(app.callback())
}
