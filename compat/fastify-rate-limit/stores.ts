import { MemoryStore, RedisStore, type Store, type StoreDecision, type StoreRequest } from '../../src/index.js'
import type { PeerParams } from './params.js'
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor, RateLimitPluginOptions } from './types.js'

/** Where one registration's limiters count, and the store of each route's. */
export interface PluginStores {
  /** The plugin's store. */
  readonly store: Store
  /** A route's (or a call's) store: the plugin's, but for a store of the peer's interface, its `child`. */
  child(params: PeerParams, routeInfo: object): Store
  /** Whether the store is one of the peer's interface, decided by its own count (no block cache then). */
  readonly peerInterface: boolean
}

/**
 * The store of a registration: `redis` wrapped in a RedisStore, so every decision is one atomic
 * script call; a `store` class of the peer's interface behind {@link PeerStore}; otherwise a
 * MemoryStore holding at most `cache` clients (our default when not given). Every route's limiter
 * counts in it under its own prefix.
 */
export function storesOf(settings: RateLimitPluginOptions, params: PeerParams): PluginStores {
  if (settings.store !== undefined) {
    const Peer = settings.store as FastifyRateLimitStoreCtor
    const plugin = new Peer(params as never)
    return {
      store: new PeerStore(plugin),
      child: (routeParams, routeInfo) => new PeerStore(plugin.child({ ...routeParams, routeInfo } as never)),
      peerInterface: true,
    }
  }
  const cache = params.cache
  const store =
    settings.redis !== undefined
      ? new RedisStore({ client: settings.redis })
      : new MemoryStore(Number.isSafeInteger(cache) && (cache as number) > 0 ? { maxKeys: cache as number } : {})
  return { store, child: () => store, peerInterface: false }
}

/** The refusals in a row that start a ban, as the limiter's `ban` carries them. */
type Penalty = NonNullable<StoreRequest['penalty']>

/**
 * A store of @fastify/rate-limit's interface (`incr(key, callback, timeWindow, max)`, `read`,
 * `child`) behind ours. It counts, and the decision follows from the count as the peer decides:
 * allowed while the count is at most `max`, refused requests counted too, banned once the count is
 * past `max + ban`. As atomic as that store's `incr`, and no more: the guarantees are the store's.
 */
export class PeerStore implements Store {
  /** Bans come from the count, as the peer's do. */
  readonly penalties = true
  readonly #peer: FastifyRateLimitStore

  constructor(peer: FastifyRateLimitStore) {
    this.#peer = peer
  }

  decide(request: StoreRequest): Promise<StoreDecision> {
    const { limit: max, windowMs } = request.policies[0] as { limit: number; windowMs: number }
    const method = request.mode === 'peek' ? this.#peer.read : this.#peer.incr
    if (typeof method !== 'function')
      return Promise.reject(
        new Error('The rate limit store has no `read` method, which `{ increment: false }` needs to count nothing'),
      )
    return new Promise((resolve, reject) => {
      method.call(
        this.#peer,
        request.key,
        (error, answer) => {
          if (error || !answer) reject(error ?? new Error('The rate limit store answered nothing'))
          else resolve(decisionOf(answer, max, request.nowMs ?? Date.now(), request.penalty))
        },
        windowMs,
        max,
      )
    })
  }

  /** The peer's interface gives nothing back: a refund is dropped. */
  async refund(): Promise<void> {}

  /** The peer's interface forgets nothing: a reset does nothing. */
  async reset(): Promise<void> {}
}

function decisionOf(
  { current, ttl }: { current: number; ttl: number },
  max: number,
  nowMs: number,
  penalty: Penalty | undefined,
): StoreDecision {
  const allowed = current <= max
  const refusals = Math.max(0, current - max)
  const banned = penalty?.ban !== undefined && refusals >= penalty.ban.afterRefusals
  const waitMs = Math.max(0, ttl)
  return {
    nowMs,
    outcomes: [
      {
        allowed,
        remaining: Math.max(0, max - current),
        resetAfterMs: waitMs,
        retryAfterMs: allowed ? 0 : waitMs,
        nextQuotaMs: waitMs,
      },
    ],
    penalty: { untilMs: banned ? nowMs + waitMs : 0, banned, refusals },
  }
}
