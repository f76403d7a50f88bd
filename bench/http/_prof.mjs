import { Redis } from '/work/main/node_modules/ioredis/built/index.js'
import { RedisStore } from '/work/main/dist/index.mjs'
const { limiters, createApp } = await import('./hono-app.js')
const client = new Redis({ port: 16399 })
const variant = process.argv[2]
const store = new RedisStore({ client, coalesce: process.argv[3] === 'co' })
const server = createApp(variant === 'none' ? undefined : limiters[variant]({ store, client }))
server.listen(18080, '127.0.0.1')
setTimeout(() => { server.close(); client.disconnect(); process.exit(0) }, 7000)
