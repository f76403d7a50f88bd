// forwardedClientIp against X-Forwarded-For read the plain way: split at every comma, each entry
// trimmed of spaces and tabs, empty ones skipped, and an entry longer than any address ending the
// walk (read as no address), from the right for a hop count and from the left for `true`.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { forwardedClientIp } from '../src/http/forwarded-for.js'
import { MAX_ADDRESS_LENGTH, parseIpAddress } from '../src/http/ip-text.js'

const SOCKET_IP = '10.0.0.1'
const TOO_LONG = Symbol('an entry longer than any address')

/** The client X-Forwarded-For names behind `hops` trusted proxies, read the plain way. */
function plainReading(header: string, hops: number | boolean): string | typeof TOO_LONG {
  if (hops === false || hops === 0 || header === '') return SOCKET_IP
  const entries = header.split(',')
  const walk = hops === true ? entries : entries.reverse()
  let found: string | undefined
  let seen = 0
  for (const entry of walk) {
    if (hops !== true && seen >= hops) break
    if (entry.length > MAX_ADDRESS_LENGTH) return TOO_LONG
    const trimmed = entry.replace(/^[ \t]+|[ \t]+$/g, '')
    if (trimmed === '') continue
    ;[found, seen] = [trimmed, seen + 1]
    if (hops === true) break
  }
  return found ?? SOCKET_IP
}

const blank = fc.stringMatching(/^[ \t]{0,3}$/)
const address = fc.constantFrom('198.51.100.1', '203.0.113.9', '2001:db8::1', '10.0.0.2', 'junk')
const entry = fc.oneof(
  { arbitrary: fc.tuple(blank, address, blank).map((parts) => parts.join('')), weight: 6 },
  { arbitrary: blank, weight: 2 },
  {
    // around the longest entry read: an address padded to MAX_ADDRESS_LENGTH +-2 characters
    arbitrary: fc
      .tuple(address, fc.integer({ min: -2, max: 2 }), fc.boolean())
      .map(([text, over, left]) =>
        left ? text.padStart(MAX_ADDRESS_LENGTH + over, ' ') : text.padEnd(MAX_ADDRESS_LENGTH + over, '\t'),
      ),
    weight: 2,
  },
)
const header = fc.array(entry, { maxLength: 6 }).map((entries) => entries.join(','))
const hops = fc.oneof(fc.boolean(), fc.nat(7))

describe('forwardedClientIp, as X-Forwarded-For reads the plain way', () => {
  it('names the client the plain reading names, and no address where an entry is too long', () => {
    fc.assert(
      fc.property(header, hops, (forwardedFor, trustedHops) => {
        const read = forwardedClientIp(SOCKET_IP, forwardedFor, trustedHops)
        const expected = plainReading(forwardedFor, trustedHops)
        if (expected !== TOO_LONG) expect(read).toBe(expected)
        else expect(read !== undefined && parseIpAddress(read)).toBe(undefined)
      }),
      { numRuns: 5_000 },
    )
  })

  it('reads no further than one entry too long for an address, however long the header', () => {
    const flood = 'x'.repeat(16_384)
    const read = (forwardedFor: string, trustedHops: number | boolean) =>
      forwardedClientIp(SOCKET_IP, forwardedFor, trustedHops)
    expect(read(`198.51.100.1,${flood}`, true)).toBe('198.51.100.1')
    expect(read(`${flood},198.51.100.1`, true)).toHaveLength(MAX_ADDRESS_LENGTH + 1)
    expect(read(`198.51.100.1,${flood}`, 2)).toHaveLength(MAX_ADDRESS_LENGTH + 1)
    expect(read(`${flood},198.51.100.1`, 1)).toBe('198.51.100.1')
  })

  it('keeps the socket peer with no header, an empty one, or no hop trusted', () => {
    for (const forwardedFor of [null, undefined, '', ' , ,\t'])
      expect(forwardedClientIp(SOCKET_IP, forwardedFor, 2)).toBe(SOCKET_IP)
    for (const trustedHops of [false, 0])
      expect(forwardedClientIp(SOCKET_IP, '198.51.100.1', trustedHops)).toBe(SOCKET_IP)
    expect(forwardedClientIp(SOCKET_IP, null, true)).toBe(SOCKET_IP)
  })
})
