// Where the @fastify/rate-limit drop-in counts: `redis` (an ioredis client, standalone or Cluster)
// wrapped in our RedisStore, exact under concurrency and shared between app instances; a custom
// `store` class of @fastify/rate-limit's interface; and store failures with and without skipOnError.
import Fastify, { type FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import fastifyRateLimit, {
  type FastifyRateLimitStore,
  type RateLimitPluginOptions,
} from '../compat/fastify-rate-limit.js'
import { connectCluster, connectStandalone, uniquePrefix } from './helpers/redis.js'
import { freePort } from './helpers/redis-server.js'

const apps: FastifyInstance[] = []
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

async function appWith(options: RateLimitPluginOptions): Promise<FastifyInstance> {
  const app = Fastify()
  apps.push(app)
  await app.register(fastifyRateLimit, options)
  app.get('/', async () => 'ok')
  app.get('/route', { config: { rateLimit: { max: 2 } } }, async () => 'route')
  await app.ready()
  return app
}

const clients = { standalone: connectStandalone(), cluster: connectCluster() }

describe.each(Object.entries(clients))('the drop-in on `redis` (ioredis, %s)', (_name, redis) => {
  it('lets exactly max of 40 concurrent requests through, across two app instances', async () => {
    const options = { redis, max: 10, timeWindow: '1 minute', nameSpace: `${uniquePrefix('fastify-compat')}-` }
    const [one, two] = [await appWith(options), await appWith(options)]
    const statuses = await Promise.all(
      Array.from({ length: 40 }, async (_, index) => ((index % 2 ? one : two) as FastifyInstance).inject('/')),
    )
    const counts = statuses.reduce<Record<number, number>>((tally, { statusCode }) => {
      tally[statusCode] = (tally[statusCode] ?? 0) + 1
      return tally
    }, {})
    expect(counts).toEqual({ 200: 10, 429: 30 })
  })

  it('keeps its counts under nameSpace, a route’s apart from the plugin’s', async () => {
    const nameSpace = `${uniquePrefix('fastify-ns')}-`
    const app = await appWith({ redis, max: 1, nameSpace })
    expect((await app.inject('/')).statusCode).toBe(200)
    expect((await app.inject('/route')).statusCode).toBe(200)
    expect((await app.inject('/route')).statusCode).toBe(200)
    expect((await app.inject('/route')).statusCode).toBe(429)
    const keys =
      'nodes' in redis
        ? (await Promise.all(redis.nodes('master').map((node) => node.keys(`${nameSpace}*`)))).flat()
        : await redis.keys(`${nameSpace}*`)
    expect(keys.length).toBeGreaterThan(0)
    expect(keys.every((key) => key.startsWith(nameSpace))).toBe(true)
  })
})

/** @fastify/rate-limit's README store: one count for every key, `ttl` shrinking by a second per hit. */
class CustomStore implements FastifyRateLimitStore {
  current = 0
  readonly options: object
  constructor(options: object) {
    this.options = options
  }
  incr(
    _key: string,
    callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
    timeWindow: number,
  ) {
    this.current++
    callback(null, { current: this.current, ttl: timeWindow - this.current * 1000 })
  }
  child(routeOptions: object): FastifyRateLimitStore {
    return new CustomStore({ ...this.options, ...routeOptions })
  }
}

describe('the drop-in with a custom store class', () => {
  it('decides by the store’s count, refused requests counted, and sends its ttl', async () => {
    const app = await appWith({ store: CustomStore, max: 2, timeWindow: 10_000 })
    const seen = []
    for (let request = 0; request < 4; request++) {
      const response = await app.inject('/')
      seen.push([response.statusCode, response.headers['x-ratelimit-remaining'], response.headers['x-ratelimit-reset']])
    }
    expect(seen).toEqual([
      [200, '1', '9'],
      [200, '0', '8'],
      [429, '0', '7'],
      [429, '0', '6'],
    ])
  })

  it('gives each route a child of the store, told the route', async () => {
    const children: object[] = []
    class Recording extends CustomStore {
      override child(routeOptions: object) {
        children.push(routeOptions)
        return super.child(routeOptions)
      }
    }
    const app = await appWith({ store: Recording, max: 5 })
    expect((await app.inject('/route')).headers['x-ratelimit-limit']).toBe('2')
    const told = children as { max: number; routeInfo: { method: string; url: string } }[]
    expect(told.map(({ max, routeInfo }) => [max, routeInfo.method, routeInfo.url])).toEqual([
      [2, 'GET', '/route'],
      [2, 'HEAD', '/route'],
    ])
  })

  it('refuses createRateLimit()’s increment: false when the store has no read', async () => {
    const app = Fastify()
    apps.push(app)
    await app.register(fastifyRateLimit, { store: CustomStore, global: false })
    app.get('/', async (request) => app.createRateLimit()(request, { increment: false }))
    expect((await app.inject('/')).statusCode).toBe(500)
  })
})

class FailingStore extends CustomStore {
  override incr(_key: string, callback: (error: Error | null) => void) {
    callback(new Error('store down'))
  }
}

describe('a store that fails', () => {
  it('answers 500 with the store’s error, and lets the request through with skipOnError', async () => {
    expect((await (await appWith({ store: FailingStore })).inject('/')).statusCode).toBe(500)
    expect((await (await appWith({ store: FailingStore, skipOnError: true })).inject('/')).statusCode).toBe(200)
  })

  it('does the same for a Redis that cannot be reached', async () => {
    const redis = new Redis({
      port: await freePort(),
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    })
    redis.on('error', () => {})
    try {
      expect((await (await appWith({ redis })).inject('/')).statusCode).toBe(500)
      const skipping = await appWith({ redis, skipOnError: true })
      const response = await skipping.inject('/')
      expect(response.statusCode).toBe(200)
    } finally {
      redis.disconnect()
    }
  })
})
