import { registerRedisStore } from './diagnostics/store-kind.js'
import { RateLimitOptionsError, StoreUnavailableError } from './errors.js'
import { digest, lastKeyMemo } from './hash.js'
import { PENALTY_KEY_SUFFIX, penaltyArg } from './penalty.js'
import { internalsOf, type Policy } from './policy.js'
import { type RedisClient, type ScriptClient, toScriptClient } from './redis/client.js'
import { Coalescer } from './redis/coalescer.js'
import { decisionOfStates, outcomeOfFigures } from './redis/outcomes.js'
import { readScriptsMode, type ScriptsMode, scriptRunner } from './redis/runners.js'
import { decideScript, ownListScript, standaloneScript } from './redis/script.js'
import type { PolicyList, ScriptAnswer, ScriptCall, StandalonePolicy } from './redis/script-call.js'
import { hashSlot } from './redis/slot.js'
import type { Store, StoreDecision, StoreRefund, StoreRequest, StoreTarget } from './store.js'
import { assertKnownOptions, assertOptionsObject, withDefault } from './validate.js'

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /**
   * A connected client: an ioredis or iovalkey `Redis` or `Cluster`, a node-redis (v5) client or
   * cluster, or a Valkey GLIDE (2.x) `GlideClient` or `GlideClusterClient`.
   */
  readonly client: RedisClient
  /**
   * How the scripts run: `'eval'`, by SHA1 with EVALSHA (sent again on NOSCRIPT); or `'functions'`,
   * as a Redis 7 Functions library with FCALL (FCALL_RO for peeks), loaded when missing. Both run
   * the same `lua/` scripts and decide the same. @default 'eval'
   */
  readonly scripts?: ScriptsMode
  /**
   * Send the decisions made in one turn of the event loop as one script call (per Cluster slot),
   * decided in order, each still atomic and exact; a lone decision (no call in flight, and the last
   * call held one decision) goes at once, with nothing to wait for. `false` sends each at once.
   * @default true
   */
  readonly coalesce?: boolean
}

/** What a limiter's policies need in every call, worked out once per policy list. */
interface Plan {
  readonly list: PolicyList
  /** `}:<storage name>` per policy, then the penalty key's suffix: a key is `<prefix>:{<tag>` and this. */
  readonly keySuffixes: readonly string[]
  /** With one policy, what a consuming request sent alone passes to the algorithm's own script. */
  readonly standalone: StandalonePolicy | undefined
  /** Reply values a decision takes: a verdict and a state per policy, and the penalty key's state. */
  readonly replyLength: number
}

/** One error for every refusal while the client is down: a flood of them costs no stack traces. */
const CLIENT_DOWN = new StoreUnavailableError('the Redis client is reconnecting or closed')

/** Characters of the key's digest in the hash tag: 66 bits, so distinct clients do not collide. */
const TAG_LENGTH = 11

/**
 * Rate limit state in Redis or a Redis Cluster, shared by every process that uses the same server.
 * Each decision is one run of one Lua script, whatever the number of policies: atomic, exact under
 * any concurrency, timed by the server's clock (unless the limiter injects one). Decisions made in
 * the same turn of the event loop share one EVALSHA or FCALL (`coalesce`). The script (or the
 * Functions library) is sent again only when Redis lacks it (a restart, a failover, SCRIPT FLUSH);
 * any other error goes to the limiter's failure policy and is never retried blindly.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis'
 * const limiter = new RateLimiter({ store: new RedisStore({ client: new Redis() }) })
 * ```
 */
export class RedisStore implements Store {
  /** Bans and continueExceeding are decided in the same script call as the policies. */
  readonly penalties = true
  readonly #client: ScriptClient
  readonly #coalescer: Coalescer
  readonly #plans = new WeakMap<readonly Policy[], Plan>()
  /** Whether a policy list may have a script of its own (see ownListScript): EVALSHA only. */
  readonly #ownScripts: boolean

  constructor(options: RedisStoreOptions) {
    const given = assertOptionsObject(options, 'RedisStore')
    assertKnownOptions(given, ['client', 'scripts', 'coalesce'], 'RedisStore')
    this.#client = toScriptClient(given.client)
    const coalesce = withDefault<unknown>(given.coalesce, true)
    if (typeof coalesce !== 'boolean')
      throw new RateLimitOptionsError(`Expected \`coalesce\` to be a boolean, got ${String(coalesce)}`)
    const scripts = readScriptsMode(given.scripts)
    this.#ownScripts = scripts === 'eval'
    this.#coalescer = new Coalescer(
      scriptRunner(this.#client, scripts),
      coalesce,
      this.#client.writesAtEndOfTurn === true,
    )
    registerRedisStore(this)
  }

  decide(request: StoreRequest): Promise<StoreDecision> {
    return this.#decide(request, undefined)
  }

  /** {@link decide} within `timeoutMs`: the decisions sent in one script call share one deadline. */
  decideWithin(request: StoreRequest, timeoutMs: number): Promise<StoreDecision> {
    return this.#decide(request, timeoutMs)
  }

  #decide(request: StoreRequest, timeoutMs: number | undefined): Promise<StoreDecision> {
    const { mode, cost } = request
    const plan = this.#planFor(request)
    return this.#call(request, plan, mode, costArg(cost), timeoutMs, (answer) => {
      const decision: StoreDecision =
        'figures' in answer
          ? { nowMs: answer.nowMs, outcomes: [outcomeOfFigures(answer.figures)] }
          : decisionOfStates(request, plan.list.algorithms, answer)
      return answer.batchSize === undefined ? decision : { ...decision, batchSize: answer.batchSize }
    })
  }

  async refund(refund: StoreRefund): Promise<void> {
    const plan = this.#planFor(refund)
    await this.#call(refund, plan, 'refund', costArg(refund.cost), undefined, nothingRead, String(refund.chargedAtMs))
  }

  async reset(target: StoreTarget): Promise<void> {
    await this.#client.del(redisKeys(target))
  }

  /** On a Cluster, the master serving the target's slot; `''` (the whole store) on one server. */
  failureDomain(target: StoreTarget): string {
    return this.#client.masterOf?.(hashSlot(hashTag(target.key))) ?? ''
  }

  /** One request to the scripts, settled with what `read` makes of its answer. */
  #call<T>(
    target: StoreTarget & { readonly nowMs: number | undefined },
    plan: Plan,
    mode: ScriptCall['mode'],
    cost: string,
    timeoutMs: number | undefined,
    read: (answer: ScriptAnswer) => T,
    chargedAt?: string,
  ): Promise<T> {
    if (this.#client.isDown()) return Promise.reject(CLIENT_DOWN)
    const tag = hashTag(target.key)
    const keyStart = `${target.prefix}:{${tag}`
    const nowArg = target.nowMs === undefined ? '' : String(target.nowMs)
    const slot = this.#client.cluster ? hashSlot(tag) : ''
    return this.#coalescer.submit(
      {
        group: `${slot} ${nowArg}`,
        timeoutMs,
        nowArg,
        list: plan.list,
        keys: plan.keySuffixes.map((suffix) => keyStart + suffix),
        mode,
        cost,
        chargedAt,
        // A refund's answer holds no values of its own.
        replyLength: mode === 'refund' ? 0 : plan.replyLength,
        standalone: mode === 'consume' ? plan.standalone : undefined,
      },
      read,
    )
  }

  /** The plan of a limiter's policy list (a list is one limiter's, so is its penalty), worked out once. */
  #planFor({ policies, penalty }: StoreTarget): Plan {
    let plan = this.#plans.get(policies)
    if (!plan) {
      const algorithms = policies.map((policy) => internalsOf(policy).algorithm)
      const args = [String(policies.length)]
      for (const { algorithm, limit, windowMs, burst } of policies)
        args.push(algorithm, String(limit), String(windowMs), String(burst))
      args.push(penalty ? penaltyArg(penalty) : '-')
      const keySuffixes = policies.map((policy) => `}:${internalsOf(policy).storageName}`)
      if (penalty) keySuffixes.push(PENALTY_KEY_SUFFIX)
      // A penalty is decided in the frame, never by an algorithm's own script.
      const only = policies.length === 1 && !penalty ? (policies[0] as Policy) : undefined
      const standalone = only && {
        script: standaloneScript(internalsOf(only).algorithm),
        limit: String(only.limit),
        windowMs: String(only.windowMs),
        burst: only.burst === only.limit ? undefined : String(only.burst),
      }
      const penalized = penalty !== undefined
      const ownScript = this.#ownScripts ? ownListScript(algorithms, args) : undefined
      const list = { script: decideScript(algorithms, penalized), ownScript, algorithms, args, penalized }
      plan = { list, keySuffixes, standalone, replyLength: 2 * policies.length + (penalized ? 1 : 0) }
      this.#plans.set(policies, plan)
    }
    return plan
  }
}

/**
 * One key per policy: `<prefix>:{<tag>}:<policy name>` for the fixed window, and
 * `<prefix>:{<tag>}:<algorithm tag>:<policy name>` for the others; with penalties, then
 * `<prefix>:{<tag>}:!penalty`. Every key of a decision shares
 * the tag, so it lands in one Cluster slot (see {@link hashTag}).
 */
export function redisKeys({ prefix, key, policies, penalty }: StoreTarget): string[] {
  const start = `${prefix}:{${hashTag(key)}`
  const keys = policies.map((policy: Policy) => `${start}}:${internalsOf(policy).storageName}`)
  if (penalty) keys.push(start + PENALTY_KEY_SUFFIX)
  return keys
}

/**
 * Client keys that are their own hash tag: 1 to 32 printable ASCII characters, no `{` or `}` (which
 * would move the tag) and no `#` first (which marks a digest). IPv4 and IPv6 /56 keys qualify.
 */
const PLAIN_TAG = /^[!"$-z|~][!-z|~]{0,31}$/

/**
 * The client key's hash tag: the key itself when {@link PLAIN_TAG} allows, else `#` and 11
 * characters of its SHA-256, so that no length or brace in a client key can bloat a Redis key or
 * move its slot. A plain tag never starts with `#` and a digest always does, and distinct keys have
 * distinct digests (lone surrogates included, see `digest`): no client key can take another's keys. Short keys skip the digest, which cost Node about a fifth of its CPU per coalesced
 * decision. On a Cluster, the failure domain and the call ask for the tag in a row: remembered.
 */
const hashTag = lastKeyMemo((key) => (PLAIN_TAG.test(key) ? key : `#${digest(key).slice(0, TAG_LENGTH)}`))

/** A refund's reading of its answer: nothing to read. */
const nothingRead = (): undefined => undefined

function costArg(cost: number): string {
  return cost === 1 ? '1' : String(cost)
}
