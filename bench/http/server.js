// One HTTP contender in a process of its own:
//   node bench/http/server.js <framework> <variant> <redis port>
// listens on a free loopback port and sends `{ port }` to its parent over IPC.
import { MemoryStore, RedisStore } from 'atomic-ratelimit'
import { Redis } from 'ioredis'
import { loadBareScript } from '../contenders/bare-script.js'
import { NO_LIMITER, OUR_VARIANTS } from './variants.js'

const [framework, variant, redisPort] = process.argv.slice(2)
// Only this framework's module: a process that loads every framework starts slower and weighs more.
const { limiters, createApp } = await import(`./${framework}-app.js`)

const client = new Redis({ port: Number(redisPort), host: '127.0.0.1' })
/** Our store by OUR_VARIANTS' names; `coalesce` explicit, so a changed default moves no row. */
const stores = {
  redis: () => new RedisStore({ client, coalesce: false }),
  'redis, coalescing': () => new RedisStore({ client, coalesce: true }),
  memory: () => new MemoryStore(),
}
const dependencies = {
  client,
  store: variant in OUR_VARIANTS ? stores[OUR_VARIANTS[variant]]() : undefined,
  decideByBareScript: await loadBareScript(client, 'bare'),
}
const makeMiddleware = limiters[variant in OUR_VARIANTS ? 'ours' : variant]
if (variant !== NO_LIMITER && !makeMiddleware) throw new Error(`no variant "${variant}" in ${framework}-app.js`)
const server = createApp(variant === NO_LIMITER ? undefined : makeMiddleware(dependencies))
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
// Without its parent (the benchmark ended or died), the contender has no reason to live.
process.on('disconnect', () => process.exit(0))
