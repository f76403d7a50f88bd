import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { RateLimiter, type RedisClient, RedisStore, type ScriptsMode } from '../src/index.js'
import { clientLibraries, connectWith, openClient } from './helpers/clients.js'
import { steadyLoad } from './helpers/load.js'
import { ports, privateRedis, uniquePrefix } from './helpers/redis.js'
import { rawCommand, sleep } from './helpers/redis-server.js'

const modes = ['eval', 'functions'] as const satisfies readonly ScriptsMode[]
const cases = clientLibraries.flatMap((library) => modes.map((scripts) => ({ library, scripts })))

/** The command that makes the server forget what each mode loaded into it. */
const FLUSH = { eval: 'SCRIPT FLUSH', functions: 'FUNCTION FLUSH' } as const

/** How many times the server ran each command since its last CONFIG RESETSTAT. */
async function commandCalls(client: Redis): Promise<Record<string, number>> {
  const stats = await client.info('commandstats')
  return Object.fromEntries(
    [...stats.matchAll(/cmdstat_([\w|]+):calls=(\d+)/g)].map(([, name, calls]) => [name, Number(calls)]),
  )
}

/** Resolves once a decision is made by Redis again (the client reconnected): tries every 20 ms, for 10 s at most. */
async function untilRedisDecides(limiter: RateLimiter): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    if (!(await limiter.peek('probe')).degraded) return
    await sleep(20)
  }
  throw new Error('Redis did not decide again within 10 s')
}

describe.each(cases)('$library with scripts $scripts, on a private Redis server', ({ library, scripts }) => {
  const redis = privateRedis()
  let client: RedisClient
  let close: () => Promise<unknown>
  beforeAll(async () => {
    ;({ client, close } = await openClient(library, [redis.server.port], false))
  })
  afterAll(() => close())
  const limiterOn = (label: string, onError: (error: unknown) => void) =>
    new RateLimiter({ store: new RedisStore({ client, scripts }), prefix: uniquePrefix(label), onError })

  it(`loads the scripts again after ${FLUSH[scripts]}, once, and retries the call once, surfacing nothing`, async () => {
    const onError = vi.fn()
    const limiter = limiterOn('flush', onError)
    await limiter.consume('client')
    await redis.client.call(...(FLUSH[scripts].split(' ') as [string, string]))
    await redis.client.config('RESETSTAT')
    for (let request = 0; request < 3; request++)
      expect(await limiter.consume('client')).toMatchObject({ allowed: true, degraded: false })
    const calls = await commandCalls(redis.client)
    if (scripts === 'eval') expect([calls.evalsha, calls.eval]).toEqual([3, 1])
    else expect([calls.fcall, calls['function|load']]).toEqual([4, 1])
    expect(onError).not.toHaveBeenCalled()
  })

  it(`keeps deciding through ${FLUSH[scripts]} mid-load, with no error surfaced`, async () => {
    const errors: unknown[] = []
    const limiter = limiterOn('flush-load', (error) => errors.push(error))
    const flush = sleep(150).then(() => rawCommand(redis.server.port, FLUSH[scripts]))
    const { samples, rejections } = await steadyLoad(400, 2, (elapsedMs) =>
      limiter.consume(`client-${Math.floor(elapsedMs / 10)}`),
    )
    expect(await flush).toBe('+OK\r\n')
    expect(rejections).toEqual([])
    expect(errors).toEqual([])
    expect(samples.filter(({ value }) => value.degraded)).toEqual([])
  })

  it('decides again, with no error surfaced, once the server restarts on the same port without persistence', async () => {
    const onError = vi.fn()
    const limiter = limiterOn('restart', onError)
    expect((await limiter.consume('client')).degraded).toBe(false)
    await redis.server.stop()
    await redis.server.start()
    // While the client reconnects, its probes may fail (GLIDE answers at once): only those.
    await untilRedisDecides(limiter)
    onError.mockClear()
    for (let request = 0; request < 3; request++)
      expect(await limiter.consume('client')).toMatchObject({ allowed: true, degraded: false })
    expect(onError).not.toHaveBeenCalled()
  })
})

describe.each(cases)('$library with scripts $scripts on the Cluster', ({ library, scripts }) => {
  const client = connectWith(library, true)

  it(`surfaces no error when ${FLUSH[scripts]} hits every node`, async () => {
    const onError = vi.fn()
    const store = new RedisStore({ client: client(), scripts })
    const limiter = new RateLimiter({ store, prefix: uniquePrefix('flush'), onError })
    const keys = Array.from({ length: 30 }, (_, index) => `client-${index}`)
    for (const key of keys) await limiter.consume(key)
    // The first calls may wait for the new client's slot map: only what follows the flush counts.
    onError.mockClear()
    await Promise.all(ports.clusterPorts.map((port) => rawCommand(port, FLUSH[scripts])))
    for (const key of keys) expect(await limiter.consume(key)).toMatchObject({ allowed: true, degraded: false })
    expect(onError).not.toHaveBeenCalled()
  })
})
