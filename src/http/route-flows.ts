import { RateLimitOptionsError } from '../errors.js'
import { type AdapterSpec, type HttpDecision, RequestFlow } from './flow.js'
import type { HttpRateLimitOptions } from './options.js'
import { type Placement, type RequestHook, routeName, routeOptions, splitPlacement } from './route-options.js'

/** Options of a route's own limiter: the shared ones and the hook it runs in. */
type RouteOptions<Req, Res, Handler> = HttpRateLimitOptions<Req, Res, Handler> & { readonly hook?: RequestHook }

/** A route's config, as a framework holds it: its limiter's options (or `false`, none) under `rateLimit`. */
export type RouteConfig<Req, Res, Handler> = {
  readonly rateLimit?: RouteOptions<Req, Res, Handler> | false
  readonly [OWN_HOOK]?: true
}

/**
 * A route's config as the framework types it, whose `rateLimit` a drop-in entry may widen to its
 * peer's options: read as a {@link RouteConfig}, its options checked when its flow is built.
 */
type TypedRouteConfig = { readonly rateLimit?: unknown } | undefined

/** Marks the config of a route whose own hook limits it, so the plugin's hook lets it by. */
const OWN_HOOK = Symbol('atomic-ratelimit route hook')

/** A route as a framework declares it: its config, method, path, and its hooks by name. */
export interface DeclaredRoute {
  config?: unknown
  readonly method: string | readonly string[]
  readonly url: string
}

/** A decision that settles once its response is done. */
interface Settling<Req, Res, Handler> {
  readonly flow: RequestFlow<Req, Res, Handler>
  readonly decision: HttpDecision
}

/**
 * The request flows of a plugin that limits routes (Fastify's): the plugin's own, for the routes
 * with no options of their own, and one for each route's options, built once per options object and
 * route (so a GET route's HEAD route shares its flow). A route's flow reads the plugin's options
 * overridden by the route's, on a quota of its own (see `routeOptions`). Also keeps the decisions
 * to settle after each response.
 *
 * @example
 * ```ts
 * const flows = new RouteFlows({ global: false, limit: 100 }, adapter)
 * const { flow, hook } = flows.of({ limit: 5 }, 'POST /login')
 * ```
 */
export class RouteFlows<Req extends object, Res, Handler> {
  /** Where the plugin's limiter runs. */
  readonly placement: Placement
  /** The plugin's own flow. */
  readonly scope: RequestFlow<Req, Res, Handler>
  readonly #shared: HttpRateLimitOptions<Req, Res, Handler>
  readonly #adapter: AdapterSpec<Res>
  readonly #routes = new WeakMap<object, Map<string, RequestFlow<Req, Res, Handler>>>()
  readonly #settling = new WeakMap<Req, Settling<Req, Res, Handler>[]>()
  readonly #hooks = new WeakMap<RequestFlow<Req, Res, Handler>, unknown>()

  constructor(
    options: (HttpRateLimitOptions<Req, Res, Handler> & Partial<Placement>) | undefined,
    adapter: AdapterSpec<Res>,
  ) {
    const { placement, options: shared } = splitPlacement(options, adapter.subject, true)
    this.placement = placement
    this.#shared = shared
    this.#adapter = adapter
    this.scope = new RequestFlow(shared, adapter)
  }

  /**
   * The flow of a route's own options (`where` names the route), and the hook it runs in. A bad
   * option throws a RateLimitOptionsError that names the route.
   */
  of(own: RouteOptions<Req, Res, Handler>, where: string): { flow: RequestFlow<Req, Res, Handler>; hook: RequestHook } {
    try {
      const subject = `${this.#adapter.subject} (${where})`
      const { placement, options } = splitPlacement(own, subject, false)
      const flows = this.#routes.get(own) ?? new Map<string, RequestFlow<Req, Res, Handler>>()
      this.#routes.set(own, flows)
      let flow = flows.get(where)
      if (!flow) {
        flow = new RequestFlow(routeOptions(this.#shared, options, where), { ...this.#adapter, subject })
        flows.set(where, flow)
      }
      return { flow, hook: placement.hook }
    } catch (error) {
      if (!(error instanceof RateLimitOptionsError)) throw error
      throw new RateLimitOptionsError(`${error.message} (in the rate limit options of ${where})`, { cause: error })
    }
  }

  /**
   * The flow of a route as it is declared, and the hook it runs in, when its config gives it options
   * of its own; with the route's config to keep, marked so that the plugin's hook lets it by.
   */
  forRoute(
    typed: TypedRouteConfig,
    where: string,
  ): { flow: RequestFlow<Req, Res, Handler>; hook: RequestHook; config: object } | undefined {
    const config = typed as RouteConfig<Req, Res, Handler> | undefined
    const own = config?.rateLimit
    if (own === undefined || own === false) return undefined
    return { ...this.of(own, where), config: { ...config, [OWN_HOOK]: true } }
  }

  /**
   * The flow the plugin's hook decides a request with: its own, for a route with no options of its
   * own when the plugin is global; none for a route that has its own hook or `rateLimit: false`.
   * The options of a route declared before the plugin (whose declaration it did not see) are read
   * at its first request.
   */
  forRequest(
    typed: TypedRouteConfig,
    method: string,
    url: string | undefined,
  ): RequestFlow<Req, Res, Handler> | undefined {
    const config = typed as RouteConfig<Req, Res, Handler> | undefined
    const own = config?.rateLimit
    if (own === undefined) return this.placement.global ? this.scope : undefined
    return own === false || config?.[OWN_HOOK] ? undefined : this.of(own, routeName(method, url ?? '')).flow
  }

  /** The hook that `make` builds for `flow`, built once per flow, not once per request. */
  hookFor<Hook>(flow: RequestFlow<Req, Res, Handler>, make: (flow: RequestFlow<Req, Res, Handler>) => Hook): Hook {
    let hook = this.#hooks.get(flow) as Hook | undefined
    // Stryker disable next-line ConditionalExpression: a cache: made again, the hook decides alike
    if (hook === undefined) {
      hook = make(flow)
      this.#hooks.set(flow, hook)
    }
    return hook
  }

  /**
   * Puts the hook of a route's own options (see {@link forRoute}) first among the route's hooks of
   * that name, and marks its config so that the plugin's hook lets it by; a route without options
   * of its own is left as it is.
   */
  addToRoute(route: DeclaredRoute, make: (flow: RequestFlow<Req, Res, Handler>) => unknown): void {
    const own = this.forRoute(route.config as TypedRouteConfig, routeName(route.method, route.url))
    if (!own) return
    const hooks = route as unknown as Record<RequestHook, unknown>
    hooks[own.hook] = [this.hookFor(own.flow, make), ...[hooks[own.hook] ?? []].flat()]
    route.config = own.config
  }

  /** Keeps an allowed decision of `flow` to settle after the response, when the flow refunds. */
  keep(request: Req, flow: RequestFlow<Req, Res, Handler>, decision: HttpDecision): void {
    // Stryker disable next-line ConditionalExpression: a shortcut: settle returns at once for a flow that never refunds
    if (flow.settles) this.#settling.set(request, [...(this.#settling.get(request) ?? []), { flow, decision }])
  }

  /** Settles the decisions kept for `request`, once its response is done. Never rejects. */
  async settle(request: Req, response: Res): Promise<void> {
    for (const { flow, decision } of this.#settling.get(request) ?? []) await flow.settle(decision, request, response)
  }
}
