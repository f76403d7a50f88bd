// Fastify with atomic-ratelimit: every client IP gets 100 requests a minute under /api, and 5 login
// attempts per 15 minutes. The plugin limits the scope it is registered in.
//
//   npm run build && node examples/fastify/main.js  # serves on port 3000 (PORT=0: any free port)
import { rateLimit } from 'atomic-ratelimit/fastify'
import Fastify from 'fastify'

// Behind a load balancer: Fastify({ trustProxy: '<its address or subnet>' }), so request.ip is the client
// (Fastify does not take a bare hop count as trust: it cannot tell the proxy from a direct client).
const app = Fastify()

await app.register(
  async (api) => {
    await api.register(rateLimit({ prefix: 'api' }))
    api.get('/hello', async (request) => ({ hello: 'world', remaining: request.rateLimit?.remaining }))
  },
  { prefix: '/api' },
)

await app.register(async (login) => {
  await login.register(rateLimit({ prefix: 'login', limit: 5, windowMs: 15 * 60_000 }))
  login.post('/login', async () => ({ loggedIn: true }))
})

const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' })
console.log(`fastify example listening on ${address} (memory store)`)
console.log(`  curl -i ${address}/api/hello`)
console.log(`  for i in 1 2 3 4 5 6; do curl -s -o /dev/null -w '%{http_code} ' -X POST ${address}/login; done`)
