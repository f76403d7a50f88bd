// embeddedIpv4 against the prefixes of the RFCs, read off the 128-bit address: each embedding is a
// prefix and the bits the IPv4 address sits in, so the reading here shifts and masks one BigInt.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { embeddedIpv4 } from '../src/http/ip-embedded.js'

/** Bits `from` to `to` (0 is the leftmost, `to` excluded) of a 128-bit address. */
const bits = (address: bigint, from: number, to: number) =>
  (address >> BigInt(128 - to)) & ((1n << BigInt(to - from)) - 1n)

/** The IPv4 address the RFCs say `groups` embeds, or undefined. */
function rfcReading(groups: readonly number[]): number | undefined {
  const address = groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n)
  const ipv4 = Number(bits(address, 96, 128))
  if (bits(address, 0, 96) === 0xffffn) return ipv4 // ::ffff:a.b.c.d (RFC 4291 2.5.5.2)
  if (bits(address, 0, 96) === 0n) return ipv4 >= 0x1000000 ? ipv4 : undefined // ::a.b.c.d, not 0.0.0.0/8
  if (bits(address, 0, 96) === 0x64ff9bn << 64n) return ipv4 // 64:ff9b::/96 (RFC 6052)
  if (bits(address, 0, 48) === 0x64ff9b0001n && bits(address, 64, 72) === 0n) {
    // 64:ff9b:1::/48 (RFC 8215): a /64 prefix, then the address in bits 72 to 103 and a zero suffix, or a /96
    return bits(address, 104, 128) === 0n ? Number(bits(address, 72, 104)) : ipv4
  }
  if (bits(address, 0, 16) === 0x2002n) return Number(bits(address, 16, 48)) // 6to4 (RFC 3056)
  if (bits(address, 0, 32) === 0x20010000n) return ~ipv4 >>> 0 // Teredo (RFC 4380)
  return undefined
}

const group = fc.integer({ min: 0, max: 0xffff })
const templates: (number | undefined)[][] = [
  [0, 0, 0, 0, 0, 0xffff],
  [0, 0, 0, 0, 0, 0],
  [0x64, 0xff9b, 0, 0, 0, 0],
  [0x64, 0xff9b, 1, undefined, 0],
  [0x64, 0xff9b, 1, undefined, undefined, undefined, 0, 0],
  [0x2002],
  [0x2001, 0],
  [],
]
/** Groups that fill a template (undefined: any group), then often change one group. */
const addressGroups = fc
  .tuple(
    fc.constantFrom(...templates),
    fc.array(fc.oneof(group, fc.constantFrom(0, 1, 0xff, 0x100, 0xffff)), { minLength: 8, maxLength: 8 }),
    fc.option(fc.tuple(fc.nat(7), fc.oneof(group, fc.constantFrom(0, 1, 0x100)))),
  )
  .map(([template, filler, change]) => {
    const groups = filler.map((value, index) => template[index] ?? value)
    if (change) groups[change[0]] = change[1]
    return groups
  })

describe('embeddedIpv4', () => {
  it('reads the IPv4 address each RFC embeds, and none elsewhere', () => {
    fc.assert(
      fc.property(addressGroups, (groups) => {
        expect(embeddedIpv4(groups)).toBe(rfcReading(groups))
      }),
      { numRuns: 20_000 },
    )
  })

  it.each([
    [[0, 0, 0, 0, 0, 0, 0x100, 0], 0x01000000], // ::1.0.0.0, the lowest outside 0.0.0.0/8
    [[0, 0, 0, 0, 0, 0, 0xff, 0xffff], undefined], // ::0.255.255.255
    [[0x64, 0xff9b, 1, 0, 0x00c0, 0x0002, 0x0100, 0], 0xc0000201], // /64: 192.0.2.1
    [[0x64, 0xff9b, 1, 0, 0x0100, 0x0002, 0x0100, 0], undefined], // bits 64 to 71 not zero
    [[0x64, 0xff9b, 1, 0, 0, 0, 0xc000, 0x0201], 0xc0000201], // /96: 192.0.2.1
  ])('reads %j as %s', (groups, ipv4) => {
    expect(embeddedIpv4(groups)).toBe(ipv4)
  })
})
