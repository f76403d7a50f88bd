// The default key in every adapter behind one trusted proxy: what the proxy writes in
// X-Forwarded-For (a port, brackets, an embedded IPv4 address, garbage) never gives a client
// more than its quota, and two clients never share one by accident.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { harnesses, type TestApp } from './helpers/adapters.js'

const HOUR = 3_600_000

describe.each(harnesses)('$name behind one trusted proxy, keyed by X-Forwarded-For', (harness) => {
  let app: TestApp | undefined
  afterEach(async () => {
    await app?.close()
    app = undefined
    vi.restoreAllMocks()
  })

  /**
   * The statuses of one request per X-Forwarded-For value, in order, on an app limiting `limit` per
   * hour, counted from each client's first request: an hour on the epoch's grid could end mid-test
   * (a CI run at 06:00 saw 5 + 5 pass).
   */
  async function statuses(limit: number, forwardedFor: readonly string[]): Promise<number[]> {
    const options = { limit, windowMs: HOUR, anchor: 'first-request' as const }
    app = await harness.build([{ path: '/a', options }], { behindOneProxy: true })
    const answers: number[] = []
    for (const entry of forwardedFor) answers.push((await app.get('/a/ok', { 'X-Forwarded-For': entry })).status)
    return answers
  }
  const passed = (answers: number[]) => answers.filter((status) => status === 200).length

  it('lets exactly 5 of 20 requests through when the proxy writes ip:port with a new port each time', async () => {
    const entries = Array.from({ length: 20 }, (_, index) => `198.51.100.1, 203.0.113.7:${51_000 + index}`)
    expect(passed(await statuses(5, entries))).toBe(5)
  })

  it('lets exactly 5 of 20 requests through when the proxy writes [v6]:port with a new port each time', async () => {
    const entries = Array.from({ length: 20 }, (_, index) =>
      index % 2 ? `[2001:db8::1]:${40_000 + index}` : `[2001:DB8:0::0001%eth0]:${40_000 + index}`,
    )
    expect(passed(await statuses(5, entries))).toBe(5)
  })

  it('keys NAT64 and IPv4-compatible clients by their IPv4 address: different ones apart, one in any form together', async () => {
    const distinct = ['64:ff9b::198.51.100.1', '64:ff9b::198.51.100.2', '::198.51.100.3', '::c633:6404']
    const again = ['198.51.100.1', '::ffff:198.51.100.2', '64:ff9b::c633:6403', '[::198.51.100.4]:443']
    expect(await statuses(1, [...distinct, ...again])).toEqual([200, 200, 200, 200, 429, 429, 429, 429])
  })

  it('counts entries that are no IP address together, under one fallback bucket', async () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    const garbage = ['unknown', '_hidden', 'proxy.example', '1.2.3.4.5', '::ffff:1.2.3.400', 'x'.repeat(200)]
    const entries = Array.from({ length: 20 }, (_, index) => `${garbage[index % garbage.length]}${'!'.repeat(index)}`)
    const answers = await statuses(5, [...entries, '203.0.113.8'])
    expect(passed(answers.slice(0, 20))).toBe(5)
    expect(answers.at(-1)).toBe(200)
  })
})
