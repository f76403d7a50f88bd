import { Cluster, Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { fixedWindow, RateLimiter, RedisStore } from '../src/index.js'
import { ports, uniquePrefix } from './helpers/redis.js'

const clients = {
  standalone: () => new Redis({ host: '127.0.0.1', port: ports.standalonePort, enableAutoPipelining: true }),
  cluster: () =>
    new Cluster(
      ports.clusterPorts.map((port) => ({ host: '127.0.0.1', port })),
      { enableAutoPipelining: true },
    ),
}

describe.each(Object.keys(clients) as (keyof typeof clients)[])(
  'an ioredis %s client with enableAutoPipelining',
  (deployment) => {
    const client = clients[deployment]()
    afterAll(() => client.quit())

    it('gets a turn’s script calls all sent at once, none through its automatic pipeline, and decides them exactly', async () => {
      // Its automatic pipeline runs one at a time per node: every script call would wait for the last.
      let sent = 0
      let answered = 0
      let sentBeforeFirstAnswer = 0
      // Its automatic pipeline takes a command into a pipeline it makes with pipeline().
      let pipelinesMade = 0
      const pipeline = client.pipeline.bind(client)
      client.pipeline = ((...args: Parameters<typeof client.pipeline>) => {
        pipelinesMade++
        return pipeline(...args)
      }) as typeof client.pipeline
      const sendCommand = client.sendCommand.bind(client) as (...args: unknown[]) => Promise<unknown>
      client.sendCommand = ((...args: unknown[]) => {
        const [command] = args as [{ name: string }]
        if (command.name !== 'evalsha') return sendCommand(...args)
        sent++
        const answer = sendCommand(...args)
        const noteAnswer = () => {
          if (answered++ === 0) sentBeforeFirstAnswer = sent
        }
        answer.then(noteAnswer, noteAnswer)
        return answer
      }) as typeof client.sendCommand
      const limiter = new RateLimiter({
        store: new RedisStore({ client }),
        policy: fixedWindow({ limit: 100, windowMs: 3_600_000 }),
        prefix: uniquePrefix('autopipe'),
      })
      await Promise.all([limiter.consume('warm-up'), limiter.consume('warm-up')]) // loads the batch's script
      await limiter.consume('warm-up') // and the script of a request alone
      sent = 0
      answered = 0
      const results = await Promise.all(Array.from({ length: 512 }, () => limiter.consume('one-key')))
      expect(results.filter((result) => result.allowed)).toHaveLength(100)
      expect(results.some((result) => result.degraded)).toBe(false)
      expect(sent).toBe(512 / 32)
      expect(sentBeforeFirstAnswer).toBe(512 / 32)
      expect((await limiter.consume('alone')).allowed).toBe(true)
      expect(sent).toBe(512 / 32 + 1)
      expect(pipelinesMade).toBe(0)
    })
  },
)
