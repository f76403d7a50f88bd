import { RateLimitOptionsError } from '../errors.js'
import { assertOptionsObject, describe } from '../validate.js'
import { LIMITER_OPTIONS } from './limiter-from-options.js'

/** The request hooks a limiter may run in, by Fastify's names, in the order a request meets them. */
export const REQUEST_HOOKS = ['onRequest', 'preParsing', 'preValidation', 'preHandler'] as const

/** A request hook a limiter may run in. */
export type RequestHook = (typeof REQUEST_HOOKS)[number]

/** Where a framework runs a limiter: on every route of a scope or only some (`global`), and in which hook. */
export interface Placement {
  readonly global: boolean
  readonly hook: RequestHook
}

/** The options of the limiters on a framework's routes, as the shared flow reads them. */
type RouteLimiterOptions = { readonly limiter?: unknown; readonly prefix?: string } & {
  readonly [name in (typeof LIMITER_OPTIONS)[number]]?: unknown
}

/**
 * Splits the placement options (`global`, for a plugin only, and `hook`) off the shared ones and
 * checks them.
 *
 * @example
 * ```ts
 * const { placement, options } = splitPlacement({ global: false, limit: 5 }, 'rateLimit()', true)
 * ```
 */
export function splitPlacement<O extends object>(
  given: O | undefined,
  subject: string,
  takesGlobal: boolean,
): { placement: Placement; options: O } {
  const checked = assertOptionsObject(given, subject) as O & { global?: unknown; hook?: unknown }
  const { global, hook, ...options } = checked
  if (global !== undefined && (!takesGlobal || typeof global !== 'boolean'))
    throw new RateLimitOptionsError(
      takesGlobal
        ? `Expected \`global\` to be a boolean, got ${describe(global)}`
        : 'Expected `global` only in the options of the plugin, not of a route',
    )
  if (hook !== undefined && !REQUEST_HOOKS.includes(hook as RequestHook))
    throw new RateLimitOptionsError(`Expected \`hook\` to be one of ${REQUEST_HOOKS.join(', ')}, got ${describe(hook)}`)
  const placement = { global: global !== false, hook: (hook ?? 'onRequest') as RequestHook }
  return { placement, options: options as O }
}

/**
 * The options of a route's limiter: the plugin's, overridden by the route's own (one the route
 * leaves undefined is the plugin's). The route counts on a quota of its own: its limiter is built
 * with the prefix `<prefix>:<where>` unless the route names a `prefix` or gives a `limiter`, which is
 * how routes share. A plugin given a ready `limiter` lends it to routes that set no limiter option,
 * and a route cannot build on it.
 *
 * @example
 * ```ts
 * routeOptions({ store, limit: 100 }, { limit: 5 }, 'POST /login') // { store, limit: 5, prefix: 'rl:POST /login' }
 * ```
 */
export function routeOptions<O extends RouteLimiterOptions>(plugin: O, route: O, where: string): O {
  const own = Object.fromEntries(Object.entries(route).filter(([, value]) => value !== undefined)) as O
  if (own.limiter !== undefined) {
    const inherited = Object.entries(plugin).filter(([name]) => !(LIMITER_OPTIONS as readonly string[]).includes(name))
    return { ...Object.fromEntries(inherited), ...own, limiter: own.limiter }
  }
  const set = LIMITER_OPTIONS.find((name) => own[name] !== undefined)
  if (plugin.limiter === undefined)
    return { ...plugin, ...own, prefix: own.prefix ?? `${plugin.prefix ?? 'rl'}:${where}` }
  if (set === undefined) return { ...plugin, ...own }
  throw new RateLimitOptionsError(
    `Expected \`${set}\` in a route's options only when the plugin builds its limiter from options; ` +
      'the plugin was given a `limiter`: give the route a `limiter` of its own',
  )
}

/**
 * Names a route in its limiter's prefix: its methods and URL, `GET /users/:id`. HEAD counts as
 * GET (it is GET without the body), so a GET route's HEAD route counts with it.
 */
export function routeName(method: string | readonly string[], url: string): string {
  const methods = new Set([method].flat().map((name) => (name === 'HEAD' ? 'GET' : name)))
  // A prefix holds no braces (the store's hash tag): a regular expression in a URL may.
  return `${[...methods].join(',')} ${url.replace(/[{}]/g, '')}`
}
