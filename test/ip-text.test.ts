// parseIpAddress against Node's own readers of IP text: `net.isIPv4` / `net.isIPv6` say whether text
// is an address, the WHATWG URL parser says which IPv6 address it is. Addresses are written the
// many ways RFC 4291 allows, then edited a character or two, so most of the text lands near the
// edges of what is an address.
import { isIPv4, isIPv6 } from 'node:net'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_ADDRESS_LENGTH, parseIpAddress } from '../src/http/ip-text.js'

/** The address Node reads in `text` (an IPv4 with a port, or bare or bracketed IPv6 with a port), or undefined. */
function nodeReading(text: string): ReturnType<typeof parseIpAddress> {
  const bracketed = /^\[([^\]]*)\](?::(\d{1,5}))?$/.exec(text)
  if (bracketed)
    return bracketed[1] !== undefined && isIPv6(bracketed[1]) ? { ipv6: groupsOf(bracketed[1]) } : undefined
  const colon = text.indexOf(':')
  const dot = text.indexOf('.')
  if (colon < 0 || (dot >= 0 && dot < colon)) {
    const [host = '', port] = colon < 0 ? [text] : [text.slice(0, colon), text.slice(colon + 1)]
    if (!isIPv4(host) || (port !== undefined && !/^\d{1,5}$/.test(port))) return undefined
    return { ipv4: host.split('.').reduce((value, octet) => value * 256 + Number(octet), 0) }
  }
  return isIPv6(text) ? { ipv6: groupsOf(text) } : undefined
}

/** The eight groups of an IPv6 address Node accepts, as the URL parser writes it out. */
function groupsOf(ipv6: string): number[] {
  const canonical = new URL(`http://[${ipv6}]/`).hostname.slice(1, -1)
  const [head = '', tail] = canonical.split('::')
  const read = (part: string) => (part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16)))
  if (tail === undefined) return read(head)
  const [before, after] = [read(head), read(tail)]
  return [...before, ...new Array<number>(8 - before.length - after.length).fill(0), ...after]
}

const hexGroup = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xff }), fc.integer({ min: 0, max: 0xffff }))
const octet = fc.oneof(fc.constant(0), fc.constant(255), fc.integer({ min: 0, max: 255 }))

/** IPv6 text: any case, leading zeros, `::` for any run of zero groups, a dotted IPv4 tail. */
const ipv6Text = fc
  .record({
    groups: fc.array(hexGroup, { minLength: 8, maxLength: 8 }),
    zeroRun: fc.option(fc.tuple(fc.nat(7), fc.integer({ min: 1, max: 8 }))),
    upper: fc.boolean(),
    padded: fc.boolean(),
    ipv4Tail: fc.boolean(),
  })
  .map(({ groups, zeroRun, upper, padded, ipv4Tail }) => {
    const written = groups.map((group) => {
      const hex = padded ? group.toString(16).padStart(4, '0') : group.toString(16)
      return upper ? hex.toUpperCase() : hex
    })
    if (ipv4Tail) {
      const [seventh = 0, last = 0] = groups.slice(6)
      written.splice(6, 2, [seventh >> 8, seventh & 0xff, last >> 8, last & 0xff].join('.'))
    }
    if (!zeroRun) return written.join(':')
    const [start, length] = zeroRun
    const end = Math.min(start + length, written.length)
    for (let index = start; index < end; index++) if (groups[index] !== 0) return written.join(':')
    return `${written.slice(0, start).join(':')}::${written.slice(end).join(':')}`
  })

const ipv4Text = fc.array(octet, { minLength: 4, maxLength: 4 }).map((octets) => octets.join('.'))

const port = fc.oneof(
  fc.constant(''),
  fc.integer({ min: 0, max: 999_999 }).map((number) => `:${number}`),
)

/** An address as a socket, a framework or a proxy may give it. */
const addressText = fc.oneof(
  ipv6Text,
  ipv4Text,
  fc.tuple(ipv4Text, port).map(([address, after]) => address + after),
  fc.tuple(ipv6Text, port).map(([address, after]) => `[${address}]${after}`),
)

/** One edit: a character dropped, added, replaced, or a stretch repeated. */
const edit = fc
  .tuple(fc.nat(), fc.nat(), fc.constantFrom(...'0123456789abcdefABCDEFg:.[]'))
  .map(([at, length, character]) => (text: string) => {
    const index = at % (text.length + 1)
    switch (length % 4) {
      case 0:
        return text.slice(0, index) + text.slice(index + 1)
      case 1:
        return text.slice(0, index) + character + text.slice(index)
      case 2:
        return text.slice(0, index) + character + text.slice(index + 1)
      default:
        return text.slice(0, index) + text.slice(index, index + (length % 7)) + text.slice(index)
    }
  })

/** Text Node reads by its own rules where ours differ: an IPv4 part with a leading zero (ours: decimal). */
const leadingZeroInIpv4 = (text: string) => /(^|[.:[])0\d*\.|\.0\d/.test(text)

describe('parseIpAddress, as Node reads IP text', () => {
  it('reads every address written as RFC 4291 allows, with brackets and a port, as Node does', () => {
    fc.assert(
      fc.property(addressText, (text) => {
        fc.pre(!leadingZeroInIpv4(text))
        expect(parseIpAddress(text)).toEqual(nodeReading(text))
      }),
      { numRuns: 3_000 },
    )
  })

  it('tells an address from text a character or two away from one, as Node does', () => {
    fc.assert(
      fc.property(addressText, fc.array(edit, { minLength: 1, maxLength: 2 }), (address, edits) => {
        const text = edits.reduce((edited, apply) => apply(edited), address)
        fc.pre(!leadingZeroInIpv4(text))
        expect(parseIpAddress(text)).toEqual(nodeReading(text))
      }),
      { numRuns: 20_000 },
    )
  })
})

describe('parseIpAddress, where it reads more than Node', () => {
  it.each([
    ['010.000.0.255', { ipv4: 0x0a0000ff }],
    ['::ffff:001.002.003.004', { ipv6: [0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304] }],
    [' \t203.0.113.7\n', { ipv4: 0xcb007107 }],
    ['  [::1]:443  ', { ipv6: [0, 0, 0, 0, 0, 0, 0, 1] }],
    ['fe80::1%eth0', { ipv6: [0xfe80, 0, 0, 0, 0, 0, 0, 1] }],
    ['[fe80::1%25en0]:8080', { ipv6: [0xfe80, 0, 0, 0, 0, 0, 0, 1] }],
    ['1.2.3.4:65535', { ipv4: 0x01020304 }],
  ])('reads %o', (text, address) => {
    expect(parseIpAddress(text)).toEqual(address)
  })

  it.each([
    'fe80::1%',
    '[fe80::1%]',
    '[::1',
    '[::1]:',
    '[::1]:123456',
    '[::1]x',
    '[::1]x12',
    '1.2.3.4:',
    '1.2.3.4:1a',
    '0001.2.3.4',
    '1.2.3.4.5',
    '',
    '   ',
  ])('reads no address in %o', (text) => {
    expect(parseIpAddress(text)).toBeUndefined()
  })

  it(`reads text of at most ${MAX_ADDRESS_LENGTH} characters, whitespace included`, () => {
    const padded = (length: number) => '1.2.3.4'.padEnd(length, ' ')
    expect(parseIpAddress(padded(MAX_ADDRESS_LENGTH))).toEqual({ ipv4: 0x01020304 })
    expect(parseIpAddress(padded(MAX_ADDRESS_LENGTH + 1))).toBeUndefined()
  })
})
