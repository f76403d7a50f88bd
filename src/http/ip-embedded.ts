// IPv6 addresses that stand for an IPv4 client: keyed by that IPv4 address, a client counts the
// same however its packets reached the app, and two such clients never share the one /56 their
// common prefix falls in.

/**
 * The IPv4 address an IPv6 address embeds, or undefined: IPv4-mapped `::ffff:a.b.c.d`,
 * IPv4-compatible `::a.b.c.d` (outside 0.0.0.0/8, so not `::` or `::1`), NAT64 (RFC 6052) under
 * the well-known `64:ff9b::/96` and under /64 or /96 prefixes in the local-use `64:ff9b:1::/48`
 * (RFC 8215), 6to4 `2002:AABB:CCDD::/48` (RFC 3056) and Teredo `2001::/32` (RFC 4380: the client's
 * public address, inverted, in the last 32 bits).
 *
 * @example
 * ```ts
 * embeddedIpv4([0x64, 0xff9b, 0, 0, 0, 0, 0x0102, 0x0304]) // 0x01020304 (1.2.3.4)
 * ```
 */
export function embeddedIpv4(groups: readonly number[]): number | undefined {
  const [first = 0, second = 0, third = 0, fourth = 0, fifth = 0, sixth = 0, seventh = 0, last = 0] = groups
  if (first === 0 && second === 0 && third === 0 && fourth === 0 && fifth === 0) {
    if (sixth === 0xffff) return ipv4Of(seventh, last)
    // 0.0.0.0/8 is never a client: that range holds :: and ::1, which are no IPv4 address.
    return sixth === 0 && seventh >= 0x100 ? ipv4Of(seventh, last) : undefined
  }
  if (first === 0x64 && second === 0xff9b) {
    if (third === 0 && fourth === 0 && fifth === 0 && sixth === 0) return ipv4Of(seventh, last)
    // RFC 6052 2.2: bits 64 to 71 are zero under every prefix length.
    return third === 1 && fifth >> 8 === 0 ? localUseNat64(fifth, sixth, seventh, last) : undefined
  }
  if (first === 0x2002) return ipv4Of(second, third)
  if (first === 0x2001 && second === 0) return ~ipv4Of(seventh, last) >>> 0
  return undefined
}

/**
 * The IPv4 address under a local-use NAT64 prefix of 64 or 96 bits, the two lengths RFC 8215
 * saw deployed. Under a /64 the address sits in bits 72 to 103 and a zero suffix follows; under
 * a /96 it fills bits 96 to 127. An address of a /96 prefix whose last 24 bits are zero (an IPv4
 * address ending in .0.0.0) reads as one of a /64: rarer than a host at such an address.
 */
function localUseNat64(fifth: number, sixth: number, seventh: number, last: number): number {
  if ((seventh & 0xff) === 0 && last === 0) return (fifth & 0xff) * 0x1000000 + sixth * 0x100 + (seventh >> 8)
  return ipv4Of(seventh, last)
}

function ipv4Of(high: number, low: number): number {
  return high * 0x10000 + low
}
