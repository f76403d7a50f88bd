// How a route's own rate limit options meet the plugin's (Fastify's per-route `config.rateLimit`),
// and how a route is named in its limiter's prefix: pure functions, checked here one case each.
import { describe, expect, it } from 'vitest'
import { routeName, routeOptions, splitPlacement } from '../src/http/route-options.js'
import { RateLimiter, RateLimitOptionsError } from '../src/index.js'

const WHERE = 'GET /users/:id'

describe('routeOptions', () => {
  it('builds a route its own limiter from the plugin’s options and its own, under a prefix naming the route', () => {
    expect(routeOptions({ limit: 5, statusCode: 503 }, { limit: 2 }, WHERE)).toEqual({
      limit: 2,
      statusCode: 503,
      prefix: `rl:${WHERE}`,
    })
    expect(routeOptions({ limit: 5, prefix: 'api' }, {}, WHERE)).toEqual({ limit: 5, prefix: `api:${WHERE}` })
    expect(routeOptions({ prefix: 'api' }, { prefix: 'own', windowMs: undefined }, WHERE)).toEqual({ prefix: 'own' })
  })

  it('gives a route with a limiter of its own the plugin’s other options, and none of its limiter options', () => {
    const limiter = new RateLimiter()
    expect(routeOptions({ limit: 5, windowMs: 1_000, statusCode: 503 }, { limiter }, WHERE)).toEqual({
      statusCode: 503,
      limiter,
    })
  })

  it('shares the plugin’s limiter with a route that sets no limiter options, and refuses one that does', () => {
    const limiter = new RateLimiter()
    expect(routeOptions({ limiter, statusCode: 503 }, { statusCode: 429 }, WHERE)).toEqual({
      limiter,
      statusCode: 429,
    })
    expect(() => routeOptions({ limiter }, { windowMs: 1_000 }, WHERE)).toThrow(RateLimitOptionsError)
    expect(() => routeOptions({ limiter }, { limit: 2 }, WHERE)).toThrow(
      "Expected `limit` in a route's options only when the plugin builds its limiter from options; " +
        'the plugin was given a `limiter`: give the route a `limiter` of its own',
    )
  })
})

describe('routeName', () => {
  it.each<[string | string[], string, string]>([
    ['GET', '/users/:id', 'GET /users/:id'],
    [['GET', 'HEAD'], '/', 'GET /'],
    ['HEAD', '/', 'GET /'],
    [['POST', 'PUT'], '/items', 'POST,PUT /items'],
    ['GET', '/files/{name}', 'GET /files/name'],
  ])('names %j %s as %s', (method, url, name) => {
    expect(routeName(method, url)).toBe(name)
  })
})

describe('splitPlacement', () => {
  it('refuses a `global` that is no boolean, or any `global` on a route, saying which', () => {
    expect(() => splitPlacement({ global: 'yes' }, 'rateLimit()', true)).toThrow(
      'Expected `global` to be a boolean, got "yes"',
    )
    expect(() => splitPlacement({ global: true }, 'config.rateLimit', false)).toThrow(
      'Expected `global` only in the options of the plugin, not of a route',
    )
    expect(splitPlacement({ global: false, limit: 1 }, 'rateLimit()', true)).toEqual({
      placement: { global: false, hook: 'onRequest' },
      options: { limit: 1 },
    })
  })
})
