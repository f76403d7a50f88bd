import { StoreUnavailableError } from './errors.js'
import { digest } from './hash.js'
import { internalsOf, type Policy, type PolicyOutcome } from './policy.js'
import { type RedisClient, type ScriptClient, toScriptClient } from './redis/client.js'
import { decideScript } from './redis/script.js'
import { hashSlot } from './redis/slot.js'
import type { Store, StoreDecision, StoreRefund, StoreRequest, StoreTarget } from './store.js'
import { assertKnownOptions, assertOptionsObject } from './validate.js'

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /** A connected ioredis `Redis` or `Cluster`, or a node-redis (v5) client or cluster. */
  readonly client: RedisClient
}

/** One error for every refusal while the client is down: a flood of them costs no stack traces. */
const CLIENT_DOWN = new StoreUnavailableError('the Redis client is reconnecting or closed')

/** Characters of the key's digest in the hash tag: 66 bits, so distinct clients do not collide. */
const TAG_LENGTH = 11

/**
 * Rate limit state in Redis or a Redis Cluster, shared by every process that uses the same server.
 * Each decision is one EVALSHA of one Lua script, whatever the number of policies: atomic, exact
 * under any concurrency, timed by the server's clock (unless the limiter injects one). The script is
 * sent again only when Redis answers NOSCRIPT (a restart, a failover, SCRIPT FLUSH); any other error
 * goes to the limiter's failure policy and is never retried blindly.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis'
 * const limiter = new RateLimiter({ store: new RedisStore({ client: new Redis() }) })
 * ```
 */
export class RedisStore implements Store {
  readonly #client: ScriptClient

  constructor(options: RedisStoreOptions) {
    const given = assertOptionsObject(options, 'RedisStore')
    assertKnownOptions(given, ['client'], 'RedisStore')
    this.#client = toScriptClient(given.client)
  }

  async decide(request: StoreRequest): Promise<StoreDecision> {
    const { policies } = request
    const args = scriptArgs(request.nowMs, request.mode, request.cost, '', policies)
    const reply = (await this.#run(request, args)) as number[]
    return { nowMs: reply[0] as number, outcomes: policies.map((_, index) => readOutcome(reply, 1 + index * 4)) }
  }

  async refund(refund: StoreRefund): Promise<void> {
    const args = scriptArgs(refund.nowMs, 'refund', refund.cost, String(refund.chargedAtMs), refund.policies)
    await this.#run(refund, args)
  }

  async reset(target: StoreTarget): Promise<void> {
    await this.#client.del(redisKeys(target))
  }

  /** On a Cluster, the master serving the target's slot; `''` (the whole store) on one server. */
  failureDomain(target: StoreTarget): string {
    return this.#client.masterOf?.(hashSlot(hashTag(target.key))) ?? ''
  }

  async #run(target: StoreTarget, args: string[]): Promise<unknown> {
    if (this.#client.isDown()) throw CLIENT_DOWN
    const keys = redisKeys(target)
    const script = decideScript(target.policies.map((policy) => internalsOf(policy).algorithm))
    try {
      return await this.#client.evalsha(script.sha1, keys, args)
    } catch (error) {
      if (!isNoScript(error)) throw error
      return this.#client.eval(script.source, keys, args)
    }
  }
}

/**
 * One key per policy: `<prefix>:{<tag>}:<policy name>` for the fixed window, and
 * `<prefix>:{<tag>}:<algorithm tag>:<policy name>` for the others. The tag is a digest of the client
 * key: every key of a decision lands in one Cluster slot, and no `{`, `}` or length in the client
 * key can move or bloat it.
 */
export function redisKeys({ prefix, key, policies }: StoreTarget): string[] {
  const tag = hashTag(key)
  return policies.map((policy: Policy) => `${prefix}:{${tag}}:${internalsOf(policy).storageName}`)
}

/** ARGV of lua/decide.lua for one request: the time, its header, then four values per policy. */
function scriptArgs(
  nowMs: number | undefined,
  mode: StoreRequest['mode'] | 'refund',
  cost: number,
  chargedAtMs: string,
  policies: readonly Policy[],
): string[] {
  const args = [nowMs === undefined ? '' : String(nowMs), mode, String(cost), chargedAtMs, String(policies.length)]
  for (const { algorithm, limit, windowMs, burst } of policies)
    args.push(algorithm, String(limit), String(windowMs), String(burst))
  return args
}

function hashTag(key: string): string {
  return digest(key).slice(0, TAG_LENGTH)
}

function readOutcome(reply: readonly number[], at: number): PolicyOutcome {
  const retryAfterMs = reply[at + 3] as number
  return {
    allowed: reply[at] === 1,
    remaining: reply[at + 1] as number,
    resetAfterMs: reply[at + 2] as number,
    retryAfterMs: retryAfterMs < 0 ? Number.POSITIVE_INFINITY : retryAfterMs,
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT')
}
