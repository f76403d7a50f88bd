import { execFile } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { promisify } from 'node:util'
import { Cluster, Redis } from 'ioredis'
import RedisMock from 'ioredis-mock'
import { describe, expect, it, vi } from 'vitest'
import {
  fixedWindow,
  gcra,
  RateLimiter,
  RateLimitOptionsError,
  RedisStore,
  redisFunctionsLibrary,
} from '../src/index.js'
import { functionsLibrary } from '../src/redis/functions.js'
import { fromIORedis } from '../src/redis/ioredis-client.js'
import { redisKeys } from '../src/redis-store.js'
import { algorithms } from './helpers/policies.js'
import { connectStandalone, ports, privateRedis, uniquePrefix } from './helpers/redis.js'

const execFileAsync = promisify(execFile)

describe('the Functions library', () => {
  it('ships as dist/redis-functions.lua (atomic-ratelimit/redis-functions.lua), the very text the store loads', {
    tags: ['built'],
  }, () => {
    const shipped = createRequire(import.meta.url).resolve('atomic-ratelimit/redis-functions.lua')
    expect(readFileSync(shipped, 'utf8')).toBe(redisFunctionsLibrary())
  })

  it('is named by a hash of its text, and so is every function in it', () => {
    const { name, source } = functionsLibrary()
    expect(redisFunctionsLibrary()).toBe(source)
    expect(name).toMatch(/^atomic_ratelimit_[0-9a-f]{12}$/)
    expect(source.startsWith(`#!lua name=${name}\n`)).toBe(true)
    const functions = [...source.matchAll(/function_name = '(\w+)'/g)].map(([, function_]) => function_)
    expect(functions.sort()).toEqual(
      ['decide', 'peek', ...algorithms.map((algorithm) => algorithm.luaFunction)].map((end) => `${name}_${end}`).sort(),
    )
  })

  it("holds every file of lua/, an algorithm's split at its standalone entry, so the scripts stay their single source", () => {
    const { source } = functionsLibrary()
    for (const file of readdirSync('lua')) {
      const text = readFileSync(`lua/${file}`, 'utf8')
      const standalone = text.indexOf('\n-- @standalone')
      const parts = standalone < 0 ? [text] : [text.slice(0, standalone + 1), text.slice(standalone + 1)]
      for (const part of parts) expect(source, file).toContain(part)
    }
  })

  it('makes the functions of the algorithms and penalties once, when it loads: a call runs only its entry', () => {
    const { name, source } = functionsLibrary()
    const decide = source.indexOf('local function decide(KEYS, ARGV)')
    for (const made of ['local function fixed_window(', 'local function penalty_apply(', 'local algorithms = {']) {
      expect(source.indexOf(made), made).toBeGreaterThan(0)
      expect(source.indexOf(made), made).toBeLessThan(decide)
    }
    expect(source).toContain(
      `redis.register_function{ function_name = '${name}_gcra', callback = function(KEYS, ARGV)\n-- @standalone`,
    )
  })
})

describe('Functions mode on a private Redis server', () => {
  const redis = privateRedis()
  const calls = async (command: string) => {
    const stats = await redis.client.info('commandstats')
    return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0)
  }

  it('loads by hand with redis-cli -x FUNCTION LOAD, and then a store calls it without loading it', {
    tags: ['built'],
  }, async () => {
    await redis.client.call('FUNCTION', 'FLUSH')
    const { stdout } = await execFileAsync('sh', [
      '-c',
      `redis-cli -p ${redis.server.port} -x FUNCTION LOAD < dist/redis-functions.lua`,
    ])
    expect(stdout.trim()).toBe(functionsLibrary().name)
    await redis.client.config('RESETSTAT')
    const store = new RedisStore({ client: redis.client, scripts: 'functions' })
    const limiter = new RateLimiter({
      store,
      policy: fixedWindow({ limit: 2, windowMs: 60_000 }),
      prefix: uniquePrefix('cli'),
    })
    const allowed = []
    for (let request = 0; request < 3; request++) allowed.push((await limiter.consume('client')).allowed)
    expect(allowed).toEqual([true, true, false])
    expect([await calls('fcall'), await calls('function\\|load'), await calls('evalsha')]).toEqual([3, 0, 0])
  })

  it('peeks with FCALL_RO on a function flagged no-writes, and consumes with FCALL', async () => {
    const store = new RedisStore({ client: redis.client, scripts: 'functions' })
    const policy = [gcra({ limit: 5, windowMs: 60_000 }), fixedWindow({ limit: 3, windowMs: 60_000 })]
    const limiter = new RateLimiter({ store, policy, prefix: uniquePrefix('peek') })
    await limiter.consume('client')
    await redis.client.config('RESETSTAT')
    expect((await limiter.peek('client')).policies.map((result) => result.remaining)).toEqual([4, 2])
    expect([await calls('fcall_ro'), await calls('fcall')]).toEqual([1, 0])
    const listed = JSON.stringify(await redis.client.call('FUNCTION', 'LIST', 'LIBRARYNAME', functionsLibrary().name))
    expect(listed).toContain(`"name","${functionsLibrary().name}_peek","description",null,"flags",["no-writes"]`)
    expect(listed).toContain(`"name","${functionsLibrary().name}_decide","description",null,"flags",[]`)
  })
})

describe('script recovery on a private Redis server', () => {
  const redis = privateRedis()
  const calls = async (command: string) => {
    const stats = await redis.client.info('commandstats')
    return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0)
  }
  const policy = fixedWindow({ limit: 3, windowMs: 60_000 })

  it('loads the library once per store that finds it missing, the later load finding it there', async () => {
    await redis.client.call('FUNCTION', 'FLUSH')
    await redis.client.config('RESETSTAT')
    const other = new Redis({ host: '127.0.0.1', port: redis.server.port })
    await other.ping()
    try {
      // Two stores on two connections call at once: both find no function, both load the library.
      const limiters = [redis.client, other].map(
        (client) =>
          new RateLimiter({
            store: new RedisStore({ client, scripts: 'functions' }),
            policy,
            prefix: uniquePrefix('race'),
          }),
      )
      const results = await Promise.all(limiters.map((limiter) => limiter.consume('client')))
      expect(results.map((result) => [result.allowed, result.degraded])).toEqual([
        [true, false],
        [true, false],
      ])
      expect(await calls('function\\|load')).toBe(2)
      expect(await calls('fcall')).toBe(4)
    } finally {
      other.disconnect()
    }
  })

  it('reports a load the server refuses (a user without FUNCTION LOAD), not the missing function', async () => {
    await redis.client.call('FUNCTION', 'FLUSH')
    await redis.client.call('ACL', 'SETUSER', 'no-loads', 'on', 'nopass', '~*', '+@all', '-function')
    const app = new Redis({ host: '127.0.0.1', port: redis.server.port, username: 'no-loads', password: 'x' })
    try {
      const onError = vi.fn()
      const store = new RedisStore({ client: app, scripts: 'functions' })
      const limiter = new RateLimiter({ store, policy, prefix: uniquePrefix('noperm'), onError, onStoreError: 'allow' })
      expect(await limiter.consume('client')).toMatchObject({ allowed: true, degraded: true })
      expect(String(onError.mock.calls[0]?.[0])).toMatch(/NOPERM.*function\|load/)
    } finally {
      app.disconnect()
    }
  })

  it.each(['eval', 'functions'] as const)(
    'in %s mode, sends nothing more for an error that is not a missing script',
    async (scripts) => {
      const prefix = uniquePrefix('wrongtype')
      const [key] = redisKeys({ prefix, key: 'client', policies: [policy] }) as [string]
      await redis.client.hset(key, { w: 1 })
      await redis.client.pexpire(key, 60_000)
      const onError = vi.fn()
      const store = new RedisStore({ client: redis.client, scripts })
      const limiter = new RateLimiter({ store, policy, prefix, onError, onStoreError: 'allow' })
      await limiter.consume('client') // loads what it needs
      await redis.client.config('RESETSTAT')
      expect(await limiter.consume('client')).toMatchObject({ allowed: true, degraded: true })
      expect(String(onError.mock.calls.at(-1)?.[0])).toContain('WRONGTYPE')
      const sent = scripts === 'eval' ? ['evalsha', 'eval'] : ['fcall', 'function\\|load']
      expect(await Promise.all(sent.map(calls))).toEqual([1, 0])
    },
  )
})

describe('loading the library on a Cluster', () => {
  it('names the key and the missing slot map when the client knows no master for it yet', () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: ports.clusterPorts[0] as number }], { lazyConnect: true })
    expect(() => fromIORedis(cluster).loadFunctions('#!lua name=x', 'rl:{client}:p')).toThrow(
      'atomic-ratelimit: no client for the master serving rl:{client}:p (no slot map)',
    )
  })
})

describe('RedisStore options', () => {
  it("takes `scripts: 'eval'`, the default, said outright", async () => {
    const limiter = new RateLimiter({
      store: new RedisStore({ client: connectStandalone(), scripts: 'eval' }),
      policy: fixedWindow({ limit: 1, windowMs: 60_000 }),
      prefix: uniquePrefix('eval-mode'),
    })
    expect((await limiter.consume('client')).allowed).toBe(true)
  })

  it('refuses a `scripts` mode other than eval or functions, naming the option', () => {
    const make = () => new RedisStore({ client: privateClientShape, scripts: 'lua' as 'eval' })
    expect(make).toThrow(RateLimitOptionsError)
    expect(make).toThrow("Expected `scripts` to be 'eval' or 'functions', got \"lua\"")
  })

  it('refuses what is no client it knows, naming what it takes and what it got', () => {
    const message = (client: unknown) => {
      try {
        new RedisStore({ client } as never)
      } catch (error) {
        expect(error).toBeInstanceOf(RateLimitOptionsError)
        return (error as Error).message
      }
      return 'no error'
    }
    const expected =
      'Expected `client` to be an ioredis or iovalkey Redis or Cluster, a node-redis client or cluster, or a Valkey GLIDE client, got '
    expect(message('redis://127.0.0.1:6379')).toBe(`${expected}"redis://127.0.0.1:6379"`)
    expect(message(null)).toBe(`${expected}null`)
    // Half a client of each kind: GLIDE's FCALL without its custom commands, ioredis's EVALSHA without EVAL.
    expect(message({ fcallReadonly() {} })).toMatch(/^Expected `client` to be an ioredis .*, got /)
    expect(message({ evalsha() {} })).toMatch(/^Expected `client` to be an ioredis .*, got /)
  })

  it('refuses an ioredis-mock client, saying why and what to use instead', () => {
    for (const client of [new RedisMock(), new RedisMock.Cluster(['redis://127.0.0.1:7000'])]) {
      const make = () => new RedisStore({ client })
      expect(make).toThrow(RateLimitOptionsError)
      expect(make).toThrow(/ioredis-mock.*32-bit integers.*epoch milliseconds.*MemoryStore.*real redis-server/)
    }
  })
})

/** A client the store accepts without sending anything: options are checked before any call. */
const privateClientShape = {
  evalsha: async () => '',
  eval: async () => '',
  call: async () => '',
  del: async () => 0,
}
