import { MemoryStore, RedisStore, type ScriptsMode, type Store } from '../../src/index.js'
import { type ClientLibrary, connectWith } from './clients.js'

/**
 * Every store the behaviour suites run on: the memory store; Redis standalone and Cluster through
 * ioredis (`standalone`, `cluster`), node-redis, iovalkey and Valkey GLIDE; and ioredis with the
 * scripts as a Functions library (`functions`, `functions-cluster`).
 */
export const storeKinds = [
  'memory',
  'standalone',
  'cluster',
  'node-redis',
  'node-redis-cluster',
  'iovalkey',
  'iovalkey-cluster',
  'glide',
  'glide-cluster',
  'functions',
  'functions-cluster',
] as const
export type StoreKind = (typeof storeKinds)[number]

/** Each Redis kind's client library, deployment and way of running the scripts. */
const REDIS_KINDS = {
  standalone: ['ioredis', false, 'eval'],
  cluster: ['ioredis', true, 'eval'],
  'node-redis': ['node-redis', false, 'eval'],
  'node-redis-cluster': ['node-redis', true, 'eval'],
  iovalkey: ['iovalkey', false, 'eval'],
  'iovalkey-cluster': ['iovalkey', true, 'eval'],
  glide: ['glide', false, 'eval'],
  'glide-cluster': ['glide', true, 'eval'],
  functions: ['ioredis', false, 'functions'],
  'functions-cluster': ['ioredis', true, 'functions'],
} as const satisfies Record<Exclude<StoreKind, 'memory'>, readonly [ClientLibrary, boolean, ScriptsMode]>

/** A store of the given kind, usable from the file's tests on; Redis clients are quit after the test file. */
export function createStore(kind: StoreKind): Store {
  if (kind === 'memory') return new MemoryStore()
  const [library, cluster, scripts] = REDIS_KINDS[kind]
  const client = connectWith(library, cluster)
  let store: RedisStore | undefined
  // Made on first use: a GLIDE client exists only once it has connected, in the file's beforeAll.
  const redis = () => {
    store ??= new RedisStore({ client: client(), scripts })
    return store
  }
  return {
    penalties: true,
    decide: (request) => redis().decide(request),
    decideWithin: (request, timeoutMs) => redis().decideWithin(request, timeoutMs),
    refund: (refund) => redis().refund(refund),
    reset: (target) => redis().reset(target),
    failureDomain: (target) => redis().failureDomain(target),
  }
}

/** A clock the test moves by hand, starting at the next window boundary of `windowMs` after now. */
export function manualClock(windowMs = 3_600_000): {
  now: () => number
  set(ms: number): void
  readonly start: number
} {
  // Ahead of real time, so Redis TTLs (which run on real time) never expire state the clock still needs.
  const start = (Math.floor(Date.now() / windowMs) + 1) * windowMs
  let nowMs = start
  return {
    start,
    now: () => nowMs,
    set(ms) {
      nowMs = ms
    },
  }
}
