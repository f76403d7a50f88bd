// Koa with atomic-ratelimit: every client IP gets 100 requests a minute under /api, and 5 login
// attempts per 15 minutes; the decision is in ctx.state.rateLimit.
//
//   npm run build && node examples/koa/main.js      # serves on port 3000 (PORT=0: any free port)
import { rateLimit } from 'atomic-ratelimit/koa'
import Koa from 'koa'

// Behind one load balancer: new Koa({ proxy: true, maxIpsCount: 1 }), so ctx.ip is the client.
const app = new Koa()

const api = rateLimit({ prefix: 'api' })
const login = rateLimit({ prefix: 'login', limit: 5, windowMs: 15 * 60_000 })

app.use(async (ctx, next) => {
  if (ctx.path === '/api/hello') return api(ctx, () => hello(ctx))
  if (ctx.path === '/login' && ctx.method === 'POST') return login(ctx, () => signIn(ctx))
  return next()
})

async function hello(ctx) {
  ctx.body = { hello: 'world', remaining: ctx.state.rateLimit.remaining }
}

async function signIn(ctx) {
  ctx.body = { loggedIn: true }
}

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}`
  console.log(`koa example listening on ${url} (memory store)`)
  console.log(`  curl -i ${url}/api/hello`)
  console.log(`  for i in 1 2 3 4 5 6; do curl -s -o /dev/null -w '%{http_code} ' -X POST ${url}/login; done`)
})
