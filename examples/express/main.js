// Express with atomic-ratelimit: every client IP gets 100 requests a minute under /api, and 5 login
// attempts per 15 minutes; refusals are 429s with Retry-After and an RFC 9457 problem body.
//
//   npm run demo                                                  # builds, then serves on port 3000
//   PORT=8080 node examples/express/main.js                       # another port (0: any free one)
//   REDIS_URL=redis://127.0.0.1:6379 node examples/express/main.js  # counts shared by every instance
import { RedisStore } from 'atomic-ratelimit'
import { rateLimit } from 'atomic-ratelimit/express'
import express from 'express'

// Without REDIS_URL, each limiter keeps its counts in this process (a MemoryStore of its own).
const store = process.env.REDIS_URL
  ? new RedisStore({ client: new (await import('ioredis')).Redis(process.env.REDIS_URL) })
  : undefined

const app = express()
// Behind a load balancer, trust exactly that one hop so req.ip is the client, not the balancer:
// app.set('trust proxy', 1)

app.use('/api', rateLimit({ store, prefix: 'api' }))
app.get('/api/hello', (req, res) => {
  res.json({ hello: 'world', remaining: req.rateLimit?.remaining })
})

app.post('/login', rateLimit({ store, prefix: 'login', limit: 5, windowMs: 15 * 60_000 }), (_req, res) => {
  res.json({ loggedIn: true })
})

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}`
  console.log(`express example listening on ${url} (${store ? 'Redis' : 'memory'} store)`)
  console.log(`  curl -i ${url}/api/hello           # RateLimit and RateLimit-Policy headers`)
  console.log(`  for i in 1 2 3 4 5 6; do curl -s -o /dev/null -w '%{http_code} ' -X POST ${url}/login; done`)
  console.log('                                     # 200 200 200 200 200 429')
})
