import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'

let child: ChildProcess | undefined
afterEach(async () => {
  if (child && child.exitCode === null) {
    child.kill()
    await once(child, 'exit')
  }
  child = undefined
})

/** Starts an example server on a free port and resolves with the URL it prints. */
async function start(example: string): Promise<string> {
  child = spawn(process.execPath, [`examples/${example}/main.js`], {
    env: { ...process.env, PORT: '0', REDIS_URL: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let output = ''
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    output += chunk.toString()
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
    if (url) return url
  }
  throw new Error(`examples/${example} exited without listening:\n${output}`)
}

describe.each(['express', 'koa', 'hono', 'fastify'])('examples/%s', (example) => {
  it('serves /api with the rate limit headers and refuses the 6th login in 15 minutes', async () => {
    const url = await start(example)
    const hello = await fetch(`${url}/api/hello`)
    expect(hello.status).toBe(200)
    expect(await hello.json()).toEqual({ hello: 'world', remaining: 99 })
    expect(hello.headers.get('RateLimit')).toMatch(/^"100-per-60s";r=99;t=\d+;pk=:[^:]+:$/)
    const logins = []
    for (let attempt = 0; attempt < 6; attempt++) logins.push((await fetch(`${url}/login`, { method: 'POST' })).status)
    expect(logins).toEqual([200, 200, 200, 200, 200, 429])
  })
})

describe('examples/prometheus', () => {
  /** The value of the decision counter for allowed requests under /api, as /metrics shows it. */
  async function allowedDecisions(url: string): Promise<number> {
    const text = await (await fetch(`${url}/metrics`)).text()
    const series = 'ratelimit_decisions_total{prefix="api",policy="100-per-60s",outcome="allowed",decided_by="memory"}'
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `))
    return line === undefined ? 0 : Number(line.slice(series.length + 1))
  }

  it('serves /metrics in Prometheus text, where the decision counter goes up with each request', async () => {
    const url = await start('prometheus')
    const metrics = await fetch(`${url}/metrics`)
    expect(metrics.headers.get('Content-Type')).toMatch(/^text\/plain; version=0\.0\.4/)
    expect(await metrics.text()).toContain('# TYPE ratelimit_decisions_total counter')
    expect(await allowedDecisions(url)).toBe(0)
    for (let request = 0; request < 3; request++) expect((await fetch(`${url}/api/hello`)).status).toBe(200)
    expect(await allowedDecisions(url)).toBe(3)
    await fetch(`${url}/api/hello`)
    expect(await allowedDecisions(url)).toBe(4)
  })
})
