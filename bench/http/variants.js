// The HTTP contenders: per framework, the app alone, behind ours (without and with coalescing),
// behind a minimal wrapper around the bare script, behind a peer's middleware on our store, behind
// each of its peers, and, for Express, in memory: ours, express-rate-limit and our drop-in entry
// for it, each on its memory store. Each framework's `<framework>-app.js` builds the middleware of
// every variant named here but the first.

/** The peers of each framework, as its app module names their variants. */
const PEERS = {
  express: ['express-rate-limit + rate-limit-redis', 'rate-limiter-flexible'],
  koa: ['koa-ratelimit'],
  hono: ['hono-rate-limiter'],
}

/** Our stores behind a peer's middleware (HitCounterStore), listed next to that peer's own Redis store. */
const BRIDGES = {
  express: ['express-rate-limit + HitCounterStore'],
}

/** The frameworks, in table order. */
export const FRAMEWORKS = Object.keys(PEERS)

/** The variant with no limiter, the reference of every ratio. */
export const NO_LIMITER = 'no limiter'

/** The few lines of middleware around the bare script: what a limiter can hope to cost. */
export const MINIMAL_WRAPPER = 'minimal wrapper'

/** Our variants, by name: the store they decide on (see server.js). */
export const OUR_VARIANTS = { ours: 'redis', 'ours coalesced': 'redis, coalescing', 'ours, memory store': 'memory' }

/**
 * In memory, apart from the Redis rows, each with its defaults: ours, the peer on its own memory
 * store, and our drop-in entry for it (`atomic-ratelimit/compat/...`) on our MemoryStore.
 */
const IN_MEMORY = {
  express: ['ours, memory store', 'express-rate-limit, memory store', 'ours compat/express-rate-limit, memory store'],
}

/** Every variant of `framework`, in table order. */
export function variantsOf(framework) {
  return [
    NO_LIMITER,
    'ours',
    'ours coalesced',
    MINIMAL_WRAPPER,
    ...(BRIDGES[framework] ?? []),
    ...PEERS[framework],
    ...(IN_MEMORY[framework] ?? []),
  ]
}

/** Which side of the comparison a variant is on. */
export function sideOf(variant) {
  if (variant === NO_LIMITER) return 'reference'
  // Not on Redis: the targets compare ours on Redis with the peers on Redis, and these by name.
  if (Object.values(IN_MEMORY).flat().includes(variant)) return 'memory'
  if (variant in OUR_VARIANTS) return 'ours'
  if (Object.values(BRIDGES).flat().includes(variant)) return 'bridge'
  return variant === MINIMAL_WRAPPER ? 'ceiling' : 'peer'
}
