import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify'
import { rateLimit } from '../adapters/fastify.js'
import { type FlowContext, type NativeHooks, PeerFlow } from './fastify-rate-limit/flow.js'
import { mergeParams, type PeerParams, readPluginParams } from './fastify-rate-limit/params.js'
import { storesOf } from './fastify-rate-limit/stores.js'
import type {
  CreateRateLimitOptions,
  RateLimitCheck,
  RateLimitOptions,
  RateLimitPluginOptions,
  RateLimitRequestHook,
} from './fastify-rate-limit/types.js'

export { normalizeIP } from './fastify-rate-limit/normalize-ip.js'
export type {
  CreateRateLimitOptions,
  errorResponseBuilderContext,
  FastifyRateLimitStore,
  FastifyRateLimitStoreCtor,
  RateLimitCheck,
  RateLimitHook,
  RateLimitOptions,
  RateLimitPluginOptions,
  RateLimitRequestHook,
  RequestKey,
} from './fastify-rate-limit/types.js'

declare module 'fastify' {
  interface FastifyRateLimitRouteConfigs {
    fastifyRateLimit: RateLimitOptions
  }
  interface FastifyInstance {
    /** A hook that limits the routes it is given to, with the plugin's options overridden by these. */
    rateLimit(options?: RateLimitOptions): RateLimitRequestHook
    /** A check of a request against the plugin's options overridden by these, answering nothing. */
    createRateLimit(
      options?: CreateRateLimitOptions,
    ): (request: FastifyRequest, callOptions?: { increment?: boolean }) => Promise<RateLimitCheck>
  }
}

/**
 * @fastify/rate-limit's plugin, as a drop-in: register it with the peer's options and keep its
 * routes' `config.rateLimit`, `fastify.rateLimit()`, `fastify.createRateLimit()`, headers and
 * errors; atomic-ratelimit's Fastify adapter decides every request, in one atomic step (a Lua script
 * on `redis`), and a refused request is not counted. Like the peer (fastify-plugin), it limits the
 * scope that registers it.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify'
 * import rateLimit from 'atomic-ratelimit/compat/fastify-rate-limit'
 *
 * const app = Fastify()
 * await app.register(rateLimit, { max: 100, timeWindow: '1 minute' })
 * ```
 */
async function fastifyRateLimit(fastify: FastifyInstance, settings: RateLimitPluginOptions = {}): Promise<void> {
  const params = readPluginParams(settings)
  const stores = storesOf(settings, params)
  const context: FlowContext = {
    stores,
    nativeHooks: await borrowNativeHooks(fastify),
    decided: Symbol('@fastify/rate-limit decided'),
  }
  fastify.decorateRequest(context.decided, false)
  const scope = new PeerFlow(params, params.nameSpace, stores.store, context)
  const own = (options: RateLimitOptions, prefix: string, routeInfo: object): PeerFlow => {
    const merged = mergeParams(params, options)
    return new PeerFlow(merged, prefix, stores.child(merged, routeInfo), context)
  }
  // One prefix for every call's own options, as the native adapter's `rateLimit()`.
  const calls = `${params.nameSpace}rateLimit()-`
  const flowOf = (options: unknown) =>
    typeof options === 'object' && options !== null ? own(options as RateLimitOptions, calls, {}) : scope
  if (!fastify.hasDecorator('rateLimit'))
    fastify.decorate('rateLimit', (options?: RateLimitOptions): RateLimitRequestHook => flowOf(options).hook)
  if (!fastify.hasDecorator('createRateLimit'))
    fastify.decorate('createRateLimit', (options?: CreateRateLimitOptions) => {
      const flow = flowOf(options)
      return (request: FastifyRequest, callOptions?: { increment?: boolean }) =>
        flow.check(request, callOptions?.increment !== false)
    })
  fastify.addHook('onRoute', (route) => {
    const config = (route.config as { rateLimit?: unknown } | undefined)?.rateLimit
    if (config === undefined || config === null) {
      if (params.global) addHook(route, params.hook, scope.hook)
      return
    }
    if (config === false) return
    if (typeof config !== 'object') throw new Error('Unknown value for route rate-limit configuration')
    const flow = own(config as RateLimitOptions, routePrefix(params, config as RateLimitOptions, route), route)
    addHook(route, (config as RateLimitOptions).hook ?? params.hook, flow.hook)
  })
}

/** A route's prefix: the plugin's namespace and the route (or its `groupId`), as the peer's Redis keys. */
function routePrefix(params: PeerParams, own: RateLimitOptions, route: RouteOptions): string {
  if (typeof own.groupId === 'string') return `${params.nameSpace}group-${own.groupId}-`
  return `${params.nameSpace}${[route.method].flat().join(',')}${route.url}-`
}

/** Appends the limiter to the route's hooks of that name, after the route's own (a new array: a HEAD route copies the GET's). */
function addHook(route: RouteOptions, name: string, hook: RateLimitRequestHook): void {
  const hooks = route as unknown as Record<string, unknown>
  hooks[name] = [...[hooks[name] ?? []].flat(), hook]
}

/**
 * The native adapter's hooks, from its plugin registered in a scope of its own, with no route: its
 * `rateLimit(options)` decorator makes a hook for any options, and nothing else of it applies to
 * the routes this plugin limits.
 */
async function borrowNativeHooks(fastify: FastifyInstance): Promise<NativeHooks> {
  let hooks: NativeHooks | undefined
  await fastify.register(async function atomicRateLimitEngine(engine) {
    await engine.register(rateLimit({ global: false }))
    hooks = (options) => engine.rateLimit(options)
  })
  return hooks as NativeHooks
}

// As fastify-plugin marks a plugin: its hooks and decorators apply to the scope that registers it,
// and it answers to @fastify/rate-limit's name for plugins that depend on it.
Object.assign(fastifyRateLimit, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@fastify/rate-limit',
  [Symbol.for('plugin-meta')]: { fastify: '5.x', name: '@fastify/rate-limit' },
})

export { fastifyRateLimit }
export default fastifyRateLimit
