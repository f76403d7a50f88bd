// After every test file: no key under the tests' `test-` prefixes may be left without a TTL. The
// keys found are deleted once reported, so that the files after it (and the mutants after it, in a
// mutation run, on the same servers) are not blamed for them.
import { Redis } from 'ioredis'
import { afterAll, expect, inject } from 'vitest'

afterAll(async () => {
  const { standalonePort, clusterPorts } = inject('redis')
  const immortal: string[] = []
  for (const port of [standalonePort, ...clusterPorts]) {
    const client = new Redis({ port, host: '127.0.0.1' })
    try {
      for await (const keys of client.scanStream({ match: 'test-*', count: 1000 }) as AsyncIterable<string[]>) {
        for (const key of keys) {
          if ((await client.pttl(key)) !== -1) continue
          immortal.push(`${port}: ${key}`)
          await client.del(key)
        }
      }
    } finally {
      client.disconnect()
    }
  }
  expect(immortal, 'keys left without a TTL').toEqual([])
})
