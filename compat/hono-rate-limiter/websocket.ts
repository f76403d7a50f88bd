// hono-rate-limiter's `webSocketLimiter`: each message of a WebSocket counts as a request, decided
// by our limiter (no HTTP response to put headers on, so the limiter is called directly).
import type { Context, Env, Input } from 'hono'
import type { WSContext, WSEvents } from 'hono/ws'
import { MemoryStore } from '../../src/index.js'
import { definedOnly } from '../shared/peer-request.js'
import { peerInfoOf } from '../shared/peer-store.js'
import { honoLimiterOf } from './limiter.js'
import type { WSConfigProps, WSConfigType, WSRateLimitExceededEventHandler } from './types.js'

/** hono-rate-limiter's default: close the socket with the status code and message. */
const closeSocket: WSRateLimitExceededEventHandler = (_event, ws, options) =>
  ws.close(options.statusCode, options.message)

/**
 * hono-rate-limiter's `webSocketLimiter(config)`: wraps a WebSocket route's event factory so that
 * each incoming message counts for `keyGenerator(c)`; a refused message goes to `handler` (by
 * default, the socket is closed with 1008), an allowed one to the route's `onMessage`.
 *
 * @example
 * ```ts
 * const limit = webSocketLimiter({ limit: 10, keyGenerator: (c) => c.req.header('x-user') ?? '' })
 * app.get('/ws', upgradeWebSocket(limit((c) => ({ onMessage: (event, ws) => ws.send('ok') }))))
 * ```
 */
export function webSocketLimiter<E extends Env = Env, P extends string = string, I extends Input = Input>(
  config: WSConfigProps<E, P, I>,
): (createEvents: (c: Context<E, P, I>) => WSEvents | Promise<WSEvents>) => (c: Context<E, P, I>) => Promise<WSEvents> {
  const options = configOf(config as unknown as WSConfigProps)
  const { limiter, takeFailure, limits, helpers } = honoLimiterOf(options, options)
  return (createEvents) => async (c) => {
    const events = await createEvents(c)
    const context = c as unknown as Context
    const onMessage = async (event: MessageEvent, ws: WSContext): Promise<unknown> => {
      if (await options.skip(event, ws)) return events.onMessage?.(event, ws)
      const key = await options.keyGenerator(context)
      const result = await limiter.consume(key, await limits.callOf(context))
      if (result.degraded) throw takeFailure()
      context.set(options.requestPropertyName as never, peerInfoOf(result, limits.limitOf(context)) as never)
      context.set(options.requestStorePropertyName as never, helpers as never)
      if (!result.allowed) return options.handler(event, ws, options)
      try {
        await events.onMessage?.(event, ws)
        if (options.skipSuccessfulRequests) await limiter.refund(result)
      } catch (error) {
        if (options.skipFailedRequests) await limiter.refund(result)
        throw error
      }
      return undefined
    }
    return { ...events, onMessage }
  }
}

/** The options with hono-rate-limiter's defaults applied. */
function configOf(config: WSConfigProps): WSConfigType {
  return {
    windowMs: 60_000,
    limit: 5,
    message: 'Too many requests, please try again later.',
    statusCode: 1008,
    requestPropertyName: 'rateLimit',
    requestStorePropertyName: 'rateLimitStore',
    skipFailedRequests: false,
    skipSuccessfulRequests: false,
    skip: () => false,
    handler: closeSocket,
    ...definedOnly(config),
    keyGenerator: config.keyGenerator,
    store: config.store ?? new MemoryStore(),
  }
}
