import { assertInteger } from '../validate.js'
import { WARNING_CODES, warnOnce } from './warnings.js'

/**
 * The rate limit key of a client IP address. An IPv4 address stays as it is, IPv4-mapped IPv6
 * (`::ffff:1.2.3.4`) becomes that IPv4 address, and any other IPv6 address becomes its network of
 * `ipv6Subnet` bits (default 56, a common size for one customer), as `2001:db8:ab00::/56`, since one
 * client usually holds a whole block of addresses. A zone id (`fe80::1%eth0`) is dropped. Text that
 * is not an IP address is returned as it is.
 *
 * @example
 * ```ts
 * ipKey('::ffff:203.0.113.7')          // '203.0.113.7'
 * ipKey('2001:db8:ab12:cd34::1')       // '2001:db8:ab12:cd00::/56'
 * ipKey('2001:db8:ab12:cd34::1', 64)   // '2001:db8:ab12:cd34::/64'
 * ```
 */
export function ipKey(ip: string, ipv6Subnet = 56): string {
  const bits = assertInteger(ipv6Subnet, 'ipv6Subnet', 1, 128)
  // What sockets give for IPv4 clients, keyed without parsing: on every request that counts.
  if (PLAIN_IPV4.test(ip)) return ip
  const mapped = MAPPED_IPV4.exec(ip)
  if (mapped) return mapped[1] as string
  const address = ip
    .trim()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/%.*$/, '')
  if (!address.includes(':')) return address
  const groups = parseIpv6(address)
  if (!groups) return address
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const [high, low] = [groups[6] as number, groups[7] as number]
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.')
  }
  const masked = groups.map((group, index) => {
    const kept = Math.min(16, Math.max(0, bits - index * 16))
    return kept === 0 ? 0 : group & (0xffff << (16 - kept)) & 0xffff
  })
  return bits === 128 ? formatIpv6(masked) : `${formatIpv6(masked)}/${bits}`
}

/** Dotted IPv4 text: its own key (not normalized, as with any other text without `:`). */
const PLAIN_IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/

/** IPv4-mapped IPv6 as a dual-stack socket gives it, `::ffff:` and canonical IPv4: that IPv4. */
const MAPPED_IPV4 = /^::ffff:((?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d))$/

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part allowed), or undefined. */
function parseIpv6(address: string): number[] | undefined {
  const halves = address.toLowerCase().split('::')
  if (halves.length > 2) return undefined
  const head = parseGroups(halves[0] as string)
  const tail = parseGroups(halves[1] ?? '')
  if (!head || !tail) return undefined
  const missing = 8 - head.length - tail.length
  if (halves.length === 1) return missing === 0 ? head : undefined
  return missing >= 1 ? [...head, ...new Array<number>(missing).fill(0), ...tail] : undefined
}

/** The groups of one side of `::`: hex groups, the last of which may be a dotted IPv4 address. */
function parseGroups(text: string): number[] | undefined {
  if (text === '') return []
  const groups: number[] = []
  for (const part of text.split(':')) {
    const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(part)
    if (v4) {
      const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number]
      if (Math.max(a, b, c, d) > 255) return undefined
      groups.push((a << 8) | b, (c << 8) | d)
    } else if (/^[0-9a-f]{1,4}$/.test(part)) groups.push(Number.parseInt(part, 16))
    else return undefined
  }
  return groups
}

/** RFC 5952 text: lower case, no leading zeros, the longest run of two or more zero groups as `::`. */
function formatIpv6(groups: readonly number[]): string {
  let bestStart = -1
  let bestLength = 1
  for (let start = 0; start < 8; start++) {
    let length = 0
    while (start + length < 8 && groups[start + length] === 0) length++
    if (length > bestLength) [bestStart, bestLength] = [start, length]
  }
  const hex = groups.map((group) => group.toString(16))
  if (bestStart < 0) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}

/**
 * What an adapter without a proxy setting of its own (Hono, fetch) knows: the socket peer, and the
 * `X-Forwarded-For` entries its `trustProxy` option lets it believe.
 *
 * @example
 * ```ts
 * proxiedClient('10.0.0.1', '198.51.100.1, 203.0.113.9', 1) // { ip: '203.0.113.9', ..., proxyTrust: 'some' }
 * ```
 */
export function proxiedClient(
  peerIp: string | undefined,
  forwardedFor: string | null | undefined,
  trustProxy: number | boolean,
): ClientAddress {
  const proxyTrust = trustProxy === true ? 'all' : trustProxy ? 'some' : 'none'
  return { ip: forwardedClientIp(peerIp, forwardedFor, trustProxy), forwardedFor, proxyTrust }
}

/**
 * The client address behind `trustedHops` proxies: walks X-Forwarded-For from the right, trusting
 * the socket peer and then each address in turn, as Express does for `trust proxy` set to a number.
 * `true` trusts every hop and takes the leftmost address; `false` (or 0) takes the socket peer.
 *
 * @example
 * ```ts
 * forwardedClientIp('10.0.0.1', '198.51.100.1, 203.0.113.9', 2) // '198.51.100.1'
 * ```
 */
export function forwardedClientIp(
  socketIp: string | undefined,
  forwardedFor: string | null | undefined,
  trustedHops: number | boolean,
): string | undefined {
  if (trustedHops === false || trustedHops === 0 || !forwardedFor) return socketIp
  const chain = [
    socketIp,
    ...forwardedFor
      .split(',')
      .map((hop) => hop.trim())
      .reverse(),
  ]
  const index = trustedHops === true ? chain.length - 1 : Math.min(trustedHops, chain.length - 1)
  return chain[index] || undefined
}

/** What an adapter knows about where a request came from. */
export interface ClientAddress {
  /** The client IP as the framework resolved it under its proxy setting; undefined when unknown. */
  readonly ip: string | undefined
  /** The `X-Forwarded-For` header as received, if any. */
  readonly forwardedFor: string | null | undefined
  /** Which proxies the framework trusts: none, some (a hop count, a list of addresses), or every one. */
  readonly proxyTrust: 'none' | 'some' | 'all'
}

/** The key under which requests without a known client IP are limited, together. */
export const UNKNOWN_CLIENT_KEY = 'unknown-client'

/**
 * The default rate limit key: the client IP, through {@link ipKey}. Warns once per process when the
 * IP cannot be trusted or found; `proxyHint` is the adapter's own one-line fix for its proxy setting.
 *
 * @example
 * ```ts
 * defaultClientKey({ ip: '::ffff:203.0.113.7', forwardedFor: undefined, proxyTrust: 'none' }, 56, hint) // '203.0.113.7'
 * ```
 */
export function defaultClientKey(address: ClientAddress, ipv6Subnet: number, proxyHint: string): string {
  if (address.forwardedFor && address.proxyTrust === 'none')
    warnOnce(
      WARNING_CODES.forwardedForUntrusted,
      'A request came with X-Forwarded-For while no proxy is trusted, so the rate limit keys on the address of ' +
        `whatever sent it. If the app runs behind a proxy, trust exactly that proxy: ${proxyHint}.`,
    )
  if (address.proxyTrust === 'all')
    warnOnce(
      WARNING_CODES.everyProxyTrusted,
      'Every proxy is trusted, so any client can choose its rate limit key by sending X-Forwarded-For. ' +
        `Trust only the proxies in front of the app, for example one: ${proxyHint}.`,
    )
  if (address.ip) return ipKey(address.ip, ipv6Subnet)
  warnOnce(
    WARNING_CODES.noClientIp,
    `No client IP address was found for a request, so such requests share one quota under the key "${UNKNOWN_CLIENT_KEY}". ` +
      'Pass a `keyGenerator`, or give the adapter the peer address.',
  )
  return UNKNOWN_CLIENT_KEY
}
