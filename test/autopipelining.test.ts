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

    /** Counts the pipelines the client makes from now on: its automatic pipeline takes a command into one. */
    function countPipelines(): () => number {
      let made = 0
      const pipeline = client.pipeline.bind(client)
      client.pipeline = ((...args: Parameters<typeof client.pipeline>) => {
        made++
        return pipeline(...args)
      }) as typeof client.pipeline
      return () => made
    }

    /** Shows `note` each command the client sends from now on, by its name in lower case, with its answer. */
    function onSent(note: (name: string, answer: Promise<unknown>) => void): void {
      const sendCommand = client.sendCommand.bind(client) as (...args: unknown[]) => Promise<unknown>
      client.sendCommand = ((...args: unknown[]) => {
        const answer = sendCommand(...args)
        note((args[0] as { name: string }).name.toLowerCase(), answer)
        return answer
      }) as typeof client.sendCommand
    }

    it('gets a turn’s script calls all sent at once, none through its automatic pipeline, and decides them exactly', async () => {
      // Its automatic pipeline runs one at a time per node: every script call would wait for the last.
      let sent = 0
      let inFlight = 0
      let mostInFlight = 0
      const pipelinesMade = countPipelines()
      onSent((name, answer) => {
        if (name !== 'evalsha') return
        sent++
        mostInFlight = Math.max(mostInFlight, ++inFlight)
        const noteAnswer = () => {
          inFlight--
        }
        answer.then(noteAnswer, noteAnswer)
      })
      const limiter = new RateLimiter({
        store: new RedisStore({ client }),
        policy: fixedWindow({ limit: 100, windowMs: 3_600_000 }),
        prefix: uniquePrefix('autopipe'),
      })
      await limiter.peek('warm-up') // loads the batch's script
      await limiter.consume('warm-up') // and the script of a request alone
      sent = 0
      mostInFlight = 0
      const results = await Promise.all(Array.from({ length: 512 }, () => limiter.consume('one-key')))
      expect(results.filter((result) => result.allowed)).toHaveLength(100)
      expect(results.some((result) => result.degraded)).toBe(false)
      // The first, with nothing in flight, went at once; the 511 made after it in its turn, in 16 calls.
      expect(sent).toBe(1 + 16)
      expect(mostInFlight).toBeGreaterThanOrEqual(16)
      expect((await limiter.consume('alone')).allowed).toBe(true)
      expect(sent).toBe(1 + 16 + 1)
      expect(pipelinesMade()).toBe(0)
    })

    it('sends a script Redis lacks whole with EVAL, and FCALLs in Functions mode, each directly too', async () => {
      const sentNames: string[] = []
      const pipelinesMade = countPipelines()
      onSent((name) => sentNames.push(name))
      // Two policies with a limit no other test uses: a script of their own, which no server has yet.
      const limit = 1_000 + Math.floor(Math.random() * 1_000_000)
      const policy = [fixedWindow({ limit, windowMs: 3_600_000 }), fixedWindow({ limit, windowMs: 7_200_000 })]
      const prefix = uniquePrefix('autopipe-recover')
      const viaEval = new RateLimiter({ store: new RedisStore({ client }), policy, prefix })
      expect((await viaEval.consume('client')).remaining).toBe(limit - 1)
      expect(pipelinesMade()).toBe(0)
      // FUNCTION LOAD, once per server, may go through the automatic pipeline; FCALL does not.
      const viaFunctions = new RateLimiter({ store: new RedisStore({ client, scripts: 'functions' }), policy, prefix })
      expect((await viaFunctions.consume('client')).remaining).toBe(limit - 2)
      expect(sentNames).toEqual(expect.arrayContaining(['evalsha', 'eval', 'fcall']))
    })
  },
)
