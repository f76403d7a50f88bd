import { describe, expect, it } from 'vitest'
import { RateLimiter, RedisStore } from '../src/index.js'
import { redisKeys } from '../src/redis-store.js'
import { algorithmNames, policyOf } from './helpers/policies.js'
import { connectStandalone } from './helpers/redis.js'

/**
 * Bytes per tracked key the README's table states (and the peers' string counter, 101, sets the bar;
 * the anchored window's start in ms takes its string into the next allocation size, as the two-number
 * states of the sliding window and token bucket do).
 */
const BUDGET_BYTES: Record<string, number> = {
  'fixed-window': 101,
  'fixed-window-anchored': 120,
  gcra: 101,
  'sliding-window': 165,
  'token-bucket': 165,
}

describe('Redis memory per tracked key (MEMORY USAGE)', () => {
  const client = connectStandalone()

  it.each(algorithmNames)('%s stays within its budget with the default prefix and policy name', async (algorithm) => {
    const policy = policyOf(algorithm, { limit: 100, windowMs: 60_000 })
    const limiter = new RateLimiter({ store: new RedisStore({ client }), policy })
    const key = `203.0.113.${algorithmNames.indexOf(algorithm)}`
    await limiter.reset(key)
    await limiter.consume(key, { cost: 57 })
    const [redisKey] = redisKeys({ prefix: limiter.prefix, key, policies: [policy] })
    const bytes = (await client.call('MEMORY', 'USAGE', redisKey as string)) as number
    console.info(`${algorithm}: ${bytes} bytes for ${redisKey}`)
    expect(bytes).toBeLessThanOrEqual(BUDGET_BYTES[algorithm] as number)
  })
})
