// Hono on Node (@hono/node-server) with atomic-ratelimit: every client gets 100 requests a minute
// under /api, and 5 login attempts per 15 minutes; the decision is c.get('rateLimit').
//
//   npm run build && node examples/hono/main.js     # serves on port 3000 (PORT=0: any free port)
import { serve } from '@hono/node-server'
import { rateLimit } from 'atomic-ratelimit/hono'
import { Hono } from 'hono'

const app = new Hono()

// The client is the socket peer; behind one proxy, rateLimit({ trustProxy: 1 }) reads X-Forwarded-For.
app.use('/api/*', rateLimit({ prefix: 'api' }))
app.get('/api/hello', (c) => c.json({ hello: 'world', remaining: c.get('rateLimit').remaining }))

app.post('/login', rateLimit({ prefix: 'login', limit: 5, windowMs: 15 * 60_000 }), (c) => c.json({ loggedIn: true }))

serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1' }, ({ port }) => {
  const url = `http://127.0.0.1:${port}`
  console.log(`hono example listening on ${url} (memory store)`)
  console.log(`  curl -i ${url}/api/hello`)
  console.log(`  for i in 1 2 3 4 5 6; do curl -s -o /dev/null -w '%{http_code} ' -X POST ${url}/login; done`)
})
