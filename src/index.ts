// The public API of atomic-ratelimit, listed by name: anything not exported here is private.
export type { AlgorithmName } from './algorithms/by-name.js'
export { fixedWindow } from './algorithms/fixed-window.js'
export { gcra } from './algorithms/gcra.js'
export { slidingWindow } from './algorithms/sliding-window.js'
export { tokenBucket } from './algorithms/token-bucket.js'
export type { CircuitBreakerOptions, CircuitState } from './breaker.js'
export { channelNames } from './diagnostics/channels.js'
export type {
  BlockCacheMessage,
  BreakerMessage,
  DecisionMessage,
  DecisionSource,
  StoreCallMessage,
  StoreErrorMessage,
  StoreOperation,
} from './diagnostics/messages.js'
export { RateLimitOptionsError, StoreTimeoutError, StoreUnavailableError } from './errors.js'
export type { ClientHits, HitCounterInit, HitCounterStoreOptions } from './hit-counter-store.js'
export { HitCounterStore } from './hit-counter-store.js'
export { ipKey } from './http/client-ip.js'
export type { HeadersDraft } from './http/headers.js'
export type {
  AccessList,
  Awaitable,
  GeneratedKey,
  HttpRateLimitOptions,
  RateLimitHook,
  RateLimitMessage,
  TrustProxyOption,
} from './http/options.js'
export type { RefusalReason } from './http/refusal.js'
export { RateLimitRefusedError } from './http/refusal.js'
export { RateLimiter } from './limiter.js'
export type { ConsumeOptions, RateLimiterOptions } from './limiter-options.js'
export type { MemoryStoreOptions } from './memory-store.js'
export { MemoryStore } from './memory-store.js'
export type { BanOptions } from './penalty.js'
export type { BurstPolicyOptions, Policy, PolicyOutcome, WindowPolicyOptions } from './policy.js'
export type { IORedisClient, NodeRedisClient, RedisClient, ValkeyGlideClient } from './redis/client.js'
export { redisFunctionsLibrary } from './redis/functions.js'
export type { ScriptsMode } from './redis/runners.js'
export type { RedisStoreOptions } from './redis-store.js'
export { RedisStore } from './redis-store.js'
export type { PolicyResult, RateLimitResult } from './result.js'
export type { Store, StoreDecision, StoreRefund, StoreRequest, StoreTarget } from './store.js'
export type { StoreFailurePolicy } from './store-guard.js'
