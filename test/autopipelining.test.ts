import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { fixedWindow, RateLimiter, RedisStore } from '../src/index.js'
import { ports, uniquePrefix } from './helpers/redis.js'

describe('an ioredis client with enableAutoPipelining', () => {
  const client = new Redis({ host: '127.0.0.1', port: ports.standalonePort, enableAutoPipelining: true })
  afterAll(() => client.quit())

  it('gets a turn’s script calls all sent at once, each in a pipeline of its own, and decides them exactly', async () => {
    // Its automatic pipeline runs one at a time per node: every script call would wait for the last.
    let sent = 0
    let answered = 0
    let sentBeforeFirstAnswer = 0
    const pipeline = client.pipeline.bind(client)
    client.pipeline = (...args: Parameters<typeof client.pipeline>) => {
      const made = pipeline(...args)
      const exec = made.exec.bind(made)
      made.exec = (...execArgs: Parameters<typeof made.exec>) => {
        sent++
        return exec(...execArgs).finally(() => {
          if (answered++ === 0) sentBeforeFirstAnswer = sent
        })
      }
      return made
    }
    const limiter = new RateLimiter({
      store: new RedisStore({ client }),
      policy: fixedWindow({ limit: 100, windowMs: 3_600_000 }),
      prefix: uniquePrefix('autopipe'),
    })
    await Promise.all([limiter.consume('warm-up'), limiter.consume('warm-up')]) // loads the batch's script
    sent = 0
    answered = 0
    const results = await Promise.all(Array.from({ length: 512 }, () => limiter.consume('one-key')))
    expect(results.filter((result) => result.allowed)).toHaveLength(100)
    expect(results.some((result) => result.degraded)).toBe(false)
    expect(sent).toBe(512 / 32)
    expect(sentBeforeFirstAnswer).toBe(512 / 32)
  })
})
