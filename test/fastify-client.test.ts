// fastifyClientOf on requests shaped as Fastify makes them: `ip` read through the server's own
// getter (its prototype), `ips` defined only under `trustProxy`, and X-Forwarded-For as received.
import { describe, expect, it } from 'vitest'
import { fastifyClientOf } from '../src/http/fastify-client.js'

/** A Fastify-like request class whose `ip` trusts no proxy: the socket peer, whatever the header says. */
class PeerOnlyRequest {
  declare raw: { socket: { remoteAddress?: string } }
  get ip(): string | undefined {
    return this.raw.socket.remoteAddress
  }
}

function request(forwardedFor: string | string[] | undefined, ips?: string[]) {
  const made = Object.create(PeerOnlyRequest.prototype, {
    raw: { value: { socket: { remoteAddress: '10.0.0.1' } } },
    headers: { value: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } },
    ips: { value: ips },
  })
  return made
}

describe('fastifyClientOf', () => {
  it('trusts no proxy without trustProxy (no `ips`), and joins a repeated header as one', () => {
    expect(fastifyClientOf(request(['198.51.100.1', '203.0.113.9']))).toEqual({
      ip: '10.0.0.1',
      forwardedFor: '198.51.100.1, 203.0.113.9',
      proxyTrust: 'none',
    })
  })

  it('tells which proxies a trust list believed: some when it read the header, none when it left it unread', () => {
    expect(fastifyClientOf(request('198.51.100.1', ['10.0.0.1', '198.51.100.1'])).proxyTrust).toBe('some')
    expect(fastifyClientOf(request('198.51.100.1', ['10.0.0.1'])).proxyTrust).toBe('none')
    expect(fastifyClientOf(request(undefined, ['10.0.0.1']))).toEqual({
      ip: '10.0.0.1',
      forwardedFor: undefined,
      proxyTrust: 'some',
    })
  })
})
