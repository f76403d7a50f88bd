// After every test file: no key under the tests' `test-` prefixes may be left without a TTL.
import { Redis } from 'ioredis'
import { afterAll, expect, inject } from 'vitest'

afterAll(async () => {
  const { standalonePort, clusterPorts } = inject('redis')
  const immortal: string[] = []
  for (const port of [standalonePort, ...clusterPorts]) {
    const client = new Redis({ port, host: '127.0.0.1' })
    try {
      for await (const keys of client.scanStream({ match: 'test-*', count: 1000 }) as AsyncIterable<string[]>) {
        for (const key of keys) if ((await client.pttl(key)) === -1) immortal.push(`${port}: ${key}`)
      }
    } finally {
      client.disconnect()
    }
  }
  expect(immortal, 'keys left without a TTL').toEqual([])
})
