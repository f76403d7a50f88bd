import { isIPv6 } from 'node:net'
import { ipKey } from '../../src/index.js'

/**
 * @fastify/rate-limit's `normalizeIP(ip, ipv6Subnet)`, the default key: IPv4 and any text that is
 * no IPv6 address in lower case, as it comes; an IPv6 address through atomic-ratelimit's `ipKey`,
 * so an IPv4-mapped one (`::ffff:192.0.2.1`) is its IPv4 address, as are the other IPv6 forms that
 * embed one (NAT64, 6to4, Teredo), and any other is the first address of its network of
 * `ipv6Subnet` bits (default 64; an invalid value is 64), in RFC 5952 form: `2001:db8:abcd:12::`.
 *
 * @example
 * ```ts
 * normalizeIP('2001:0DB8:ABCD:0012::1') // '2001:db8:abcd:12::'
 * ```
 */
export function normalizeIP(ip: string, ipv6Subnet = 64): string {
  if (!isIPv6(ip)) return ip.toLowerCase()
  const valid = Number.isFinite(ipv6Subnet) && ipv6Subnet >= 0 && ipv6Subnet <= 128
  const bits = valid ? Math.trunc(ipv6Subnet) : 64
  // A network of no bits holds every address: the first one is `::`.
  return bits === 0 ? '::' : ipKey(ip, bits).replace(/\/\d+$/, '')
}
