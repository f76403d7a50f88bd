import type { CircuitState } from '../breaker.js'
import type { RateLimitResult } from '../result.js'
import type { StoreDecision } from '../store.js'

/**
 * What made a decision: the limiter's store (`'redis'`, `'memory'`, or `'custom'` for any other
 * Store), the per-process `'fallback'` store of `onStoreError: 'fallback'`, the `'block-cache'`,
 * or the `'failure-policy'` alone (`onStoreError` `'allow'` or `'deny'`, the store having failed or
 * its circuit being open).
 */
export type DecisionSource = 'redis' | 'memory' | 'custom' | 'fallback' | 'block-cache' | 'failure-policy'

/** What a store call does: decide (charging, or only looking), give back a charge, or forget a key. */
export type StoreOperation = 'consume' | 'peek' | 'refund' | 'reset'

/** Published on `atomic-ratelimit:decision` after every `consume` and `peek`, however decided. */
export interface DecisionMessage {
  /** The limiter's `prefix`. */
  readonly prefix: string
  /**
   * The client key as the draft-8 `RateLimit` header's `pk` (without its colons): 16 base64
   * characters of SHA-256 over the prefix and the key. The key itself is never published.
   */
  readonly partitionKey: string
  readonly operation: 'consume' | 'peek'
  /** Units the request costs. */
  readonly cost: number
  /** The names of the policies decided under, in order. */
  readonly policies: readonly string[]
  /** The most restrictive policy's name (`result.policy`). */
  readonly policy: string
  readonly allowed: boolean
  /** True when the store failed and `onStoreError` decided (or the fallback store did). */
  readonly degraded: boolean
  /** Refused by a ban. */
  readonly banned: boolean
  readonly decidedBy: DecisionSource
  /**
   * How long the limiter waited for its store, in ms (fractional): until the answer, or until the
   * failure policy decided; 0 for the block cache.
   */
  readonly storeMs: number
  /** The result `consume` or `peek` resolves with. */
  readonly result: RateLimitResult
}

/**
 * The context of a store call on the `atomic-ratelimit:store` TracingChannel: the same object is
 * published on its `start`, `end`, `asyncStart`, `asyncEnd` and, for a failed call, `error`
 * channels. A call to a MemoryStore (the limiter's, or the fallback store) is in-process and not
 * traced. With coalescing, a decision's call is its share of a script call sent with others.
 */
export interface StoreCallMessage {
  readonly prefix: string
  /** As in {@link DecisionMessage.partitionKey}. */
  readonly partitionKey: string
  readonly operation: StoreOperation
  /** The names of the policies, in order. */
  readonly policies: readonly string[]
  /** Units to charge (consume, peek) or give back (refund); 0 for a reset. */
  readonly cost: number
  /** `'redis'` for a RedisStore, `'custom'` for any other Store. */
  readonly store: 'redis' | 'custom'
  /**
   * Set when a decision's call succeeded: the store's decision, with `batchSize`, the decisions
   * that shared its store call, when the store tells (RedisStore does).
   */
  result?: StoreDecision | undefined
  /** Set when the call failed: the error, with the client key taken out (see {@link StoreErrorMessage}). */
  error?: Error | undefined
  /** Set when the call failed: see {@link StoreErrorMessage.errorType}. */
  errorType?: string | undefined
}

/** Published on `atomic-ratelimit:store-error` for every store failure the limiter reports to `onError`. */
export interface StoreErrorMessage {
  readonly prefix: string
  /** As in {@link DecisionMessage.partitionKey}. */
  readonly partitionKey: string
  readonly operation: StoreOperation
  /**
   * The error, or when it came from the store's client, a copy of its name, code, message and
   * stack with every occurrence of the client key replaced by `:<partitionKey>:` (a Lua error
   * names the Redis key, which may hold the client key) and nothing else (ioredis attaches the
   * command, keys included). `onError` is given the error itself.
   */
  readonly error: Error
  /**
   * A low-cardinality kind: `'timeout'` (no answer within `timeoutMs`), `'unavailable'` (refused
   * at once: the client is reconnecting or closed, or the circuit is open), `'script'` (the store
   * answered with a script error about the key's state), else the error's `code` (such as
   * `'ECONNREFUSED'`) or `name`, or `'_OTHER'` for a thrown non-error.
   */
  readonly errorType: string
}

/** Published on `atomic-ratelimit:breaker` whenever a circuit breaker changes state. */
export interface BreakerMessage {
  readonly prefix: string
  /** The part of the store the breaker guards: `''` for a single server, a master's address on a Cluster. */
  readonly domain: string
  readonly state: CircuitState
  readonly previousState: CircuitState
}

/** Published on `atomic-ratelimit:block-cache` when the block cache denies a request with no store call. */
export interface BlockCacheMessage {
  readonly prefix: string
  /** As in {@link DecisionMessage.partitionKey}. */
  readonly partitionKey: string
  readonly operation: 'consume' | 'peek'
  readonly cost: number
  /** The most restrictive policy of the cached denial. */
  readonly policy: string
  /** The denial served. */
  readonly result: RateLimitResult
}
