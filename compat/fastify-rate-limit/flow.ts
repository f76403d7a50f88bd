import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyRateLimitHook, FastifyRouteRateLimitOptions } from '../../adapters/fastify.js'
import {
  fixedWindow,
  RateLimiter,
  RateLimitOptionsError,
  type RateLimitResult,
  StoreUnavailableError,
} from '../../src/index.js'
import { durationText } from '../shared/duration-text.js'
import { defaultError, ttlOf, writeHeaders } from './answers.js'
import { normalizeIP } from './normalize-ip.js'
import type { PeerParams } from './params.js'
import type { PluginStores } from './stores.js'
import type { RateLimitCheck, RateLimitRequestHook, RequestKey } from './types.js'

/** Makes a hook of the native adapter for its options (the plugin's `fastify.rateLimit`, borrowed). */
export type NativeHooks = (options: FastifyRouteRateLimitOptions) => FastifyRateLimitHook

/** What one limiter needs of its registration. */
export interface FlowContext {
  readonly stores: PluginStores
  readonly nativeHooks: NativeHooks
  /** Marks a request one of the registration's limiters has decided, so no other one does. */
  readonly decided: symbol
}

/**
 * One limiter of @fastify/rate-limit's options (the plugin's, a route's, or a `rateLimit()` call's):
 * a RateLimiter with a fixed window opened by each client's first request (the peer's window), on
 * the registration's store under its own prefix, decided by the native Fastify adapter; this class
 * keys requests, writes the peer's headers, runs its callbacks and throws its refusals.
 */
export class PeerFlow {
  /** The request hook, for a route's hooks or `fastify.rateLimit()`. */
  readonly hook: RateLimitRequestHook
  readonly #params: PeerParams
  readonly #limiter: RateLimiter
  /** Each request's key as `keyGenerator` made it, `groupId` added: what the callbacks are given. */
  readonly #keys = new WeakMap<FastifyRequest, RequestKey>()
  /** The store's last failure, which a decision it degraded passes on unless `skipOnError`. */
  #failure: unknown

  constructor(params: PeerParams, prefix: string, store: PluginStores['store'], context: FlowContext) {
    this.#params = params
    this.#limiter = limiterOf(params, prefix, store, context.stores.peerInterface, (error) => {
      this.#failure = error
    })
    const native = context.nativeHooks(this.#nativeOptions())
    const flow = this
    this.hook = async function rateLimitHook(request, reply) {
      const marks = request as unknown as Record<symbol, boolean>
      if (marks[context.decided]) return
      marks[context.decided] = true
      request.rateLimit = undefined
      await native(request, reply)
      const result = request.rateLimit as RateLimitResult | undefined
      if (result === undefined || reply.sent) return
      flow.#passOnFailure(result)
      writeHeaders(reply, params.labels, params.addHeadersOnExceeding, result, result.resetAfterMs, false)
      params.onExceeding?.(request, flow.#keys.get(request) as RequestKey)
    }
  }

  /** `createRateLimit()`'s check: the decision, counted unless `increment` is false, and no answer sent. */
  async check(request: FastifyRequest, increment: boolean): Promise<RateLimitCheck> {
    const key = await this.#keyOf(request)
    if (await this.#allowListed(request)) return { isAllowed: true, key }
    const { max, timeWindow } = this.#params
    const limit = typeof max === 'number' ? max : await max(request, key)
    const windowMs = typeof timeWindow === 'number' ? timeWindow : await timeWindow(request, key)
    const text = String(key)
    const call = { limit, windowMs }
    const result = await (increment ? this.#limiter.consume(text, call) : this.#limiter.peek(text, call))
    this.#passOnFailure(result)
    const ttl = ttlOf(result)
    const { remaining, banned } = result
    const ttlInSeconds = Math.ceil(ttl / 1000)
    return {
      isAllowed: false,
      key,
      max: limit,
      timeWindow: windowMs,
      remaining,
      ttl,
      ttlInSeconds,
      isExceeded: !result.allowed,
      isBanned: banned,
    }
  }

  #nativeOptions(): FastifyRouteRateLimitOptions {
    const { max, timeWindow } = this.#params
    const keyOf = (request: FastifyRequest) => this.#keys.get(request) as RequestKey
    return {
      limiter: this.#limiter,
      ...(typeof max === 'function' && { limit: (request) => max(request, keyOf(request)) }),
      ...(typeof timeWindow === 'function' && { windowMs: (request) => timeWindow(request, keyOf(request)) }),
      keyGenerator: (request) => this.#keyOf(request),
      allowList: (request) => this.#allowListed(request),
      standardHeaders: false,
      handler: (request, reply, result) => this.#refuse(request, reply, result),
    }
  }

  /** The key, as `keyGenerator` (or the peer's default, the IP) makes it, with `groupId` added. */
  #keyOf(request: FastifyRequest): RequestKey | Promise<RequestKey> {
    const { keyGenerator, ipv6Subnet, groupId } = this.#params
    const record = (key: RequestKey): RequestKey => {
      const full = groupId === undefined ? key : `${key}${groupId}`
      this.#keys.set(request, full)
      return full
    }
    if (!keyGenerator) return record(normalizeIP(request.ip, ipv6Subnet))
    const generated = keyGenerator(request)
    return generated instanceof Promise ? generated.then(record) : record(generated)
  }

  async #allowListed(request: FastifyRequest): Promise<boolean> {
    const { allowList } = this.#params
    const key = this.#keys.get(request) as RequestKey
    if (typeof allowList === 'function') return Boolean(await allowList(request, key))
    return Array.isArray(allowList) && allowList.includes(key)
  }

  /**
   * A refusal as @fastify/rate-limit answers it: `onExceeded`, the headers, `onBanReach` for a
   * banned client, then `errorResponseBuilder`'s error thrown to Fastify's error handling, with the
   * status left to it (the error's `statusCode`, as for any error Fastify handles).
   */
  #refuse(request: FastifyRequest, reply: FastifyReply, result: RateLimitResult): never {
    const params = this.#params
    const key = this.#keys.get(request) as RequestKey
    params.onExceeded?.(request, key)
    const ttl = ttlOf(result)
    reply.removeHeader('retry-after')
    writeHeaders(reply, params.labels, params.addHeaders, { ...result, remaining: 0 }, ttl, true)
    const seconds = Math.ceil(ttl / 1000)
    const after = durationText(seconds * 1000, { years: true })
    const context = { statusCode: result.banned ? 403 : 429, ban: result.banned, after, max: result.limit, ttl }
    if (result.banned) params.onBanReach?.(request, key)
    reply.code(200)
    throw (params.errorResponseBuilder ?? defaultError)(request, context)
  }

  #passOnFailure(result: RateLimitResult): void {
    if (!result.degraded || this.#params.skipOnError) return
    throw this.#failure ?? new StoreUnavailableError('the rate limit store is unavailable')
  }
}

function limiterOf(
  params: PeerParams,
  prefix: string,
  store: PluginStores['store'],
  peerInterface: boolean,
  onError: (error: unknown) => void,
): RateLimiter {
  const max = typeof params.max === 'number' ? params.max : 1
  const windowMs = typeof params.timeWindow === 'number' ? params.timeWindow : 60_000
  if (max < 1 || windowMs < 1)
    throw new RateLimitOptionsError(`Expected \`${max < 1 ? 'max' : 'timeWindow'}\` to be at least 1, got 0`)
  return new RateLimiter({
    store,
    prefix: prefix.replace(/[{}]/g, ''),
    policy: fixedWindow({ limit: max, windowMs, anchor: 'first-request', name: 'max' }),
    ...(params.ban >= 0 && { ban: { afterRefusals: params.ban + 1, durationMs: windowMs } }),
    continueExceeding: params.continueExceeding || params.exponentialBackoff,
    onStoreError: 'allow',
    onError,
    // A store of the peer's interface counts every request, refused ones too: each must reach it.
    ...(peerInterface && { blockCache: false }),
  })
}
