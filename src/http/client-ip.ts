import { assertInteger, describe } from '../validate.js'
import { forwardedClientIp } from './forwarded-for.js'
import { embeddedIpv4 } from './ip-embedded.js'
import { parseIpAddress } from './ip-text.js'
import { WARNING_CODES, warnOnce } from './warnings.js'

/** The key under which requests without a client IP address, or with text that is none, are limited together. */
export const UNKNOWN_CLIENT_KEY = 'unknown-client'

/**
 * The rate limit key of a client IP address, as every adapter's default key makes it. Surrounding
 * whitespace, brackets, a port (`1.2.3.4:51234`, `[2001:db8::1]:443`) and a zone id (`%eth0`) are
 * dropped and the address normalised (`010.0.0.1` is `10.0.0.1`, IPv6 in RFC 5952 form). An IPv4
 * address is its own key; so is the IPv4 address an IPv6 address embeds (IPv4-mapped
 * `::ffff:1.2.3.4`, IPv4-compatible `::1.2.3.4`, NAT64 `64:ff9b::1.2.3.4` and `64:ff9b:1::/48`,
 * 6to4, Teredo). Any other IPv6 address becomes its network of `ipv6Subnet` bits (default 56, a
 * common size for one customer), as `2001:db8:ab00::/56`, since one client usually holds a whole
 * block. Text that is no IP address (a hostname, `unknown`, an obfuscated RFC 7239 `_hidden`
 * identifier, garbage) becomes `'unknown-client'`, the one key all such requests share, with a
 * process warning `WARN_RATE_LIMIT_INVALID_CLIENT_IP` the first time: a key per distinct text
 * would let whoever writes the text pick a fresh quota per request.
 *
 * @example
 * ```ts
 * ipKey('::ffff:203.0.113.7')          // '203.0.113.7'
 * ipKey('[2001:db8::1]:443')           // '2001:db8::/56'
 * ipKey('2001:db8:ab12:cd34::1', 64)   // '2001:db8:ab12:cd34::/64'
 * ipKey('unknown')                     // 'unknown-client'
 * ```
 */
export function ipKey(ip: string, ipv6Subnet = 56): string {
  return clientKey(ip, assertInteger(ipv6Subnet, 'ipv6Subnet', 1, 128))
}

/** ipKey without checking `ipv6Subnet`: the adapters checked it once, at setup. */
function clientKey(text: string, ipv6Subnet: number): string {
  const key = addressKey(text, ipv6Subnet)
  if (key !== undefined) return key
  warnOnce(
    WARNING_CODES.invalidClientIp,
    () =>
      `A client address was no IP address (${describe(text)}), so requests with such addresses share one quota ` +
      `under the key "${UNKNOWN_CLIENT_KEY}". Look at what the proxy writes in X-Forwarded-For, or what is passed to ipKey.`,
  )
  return UNKNOWN_CLIENT_KEY
}

/** The key of the IP address in `text`, as `ipKey` makes it; undefined when it holds none. */
export function addressKey(text: string, ipv6Subnet: number): string | undefined {
  // Sockets give dotted IPv4, and IPv4-mapped IPv6 on a server listening on `::`: those are keyed
  // as they come, on every request, without building anything.
  // Stryker disable next-line ConditionalExpression: a shortcut: parsed and written out again, socket text is the same text
  if (SOCKET_IPV4.test(text)) return text
  const mapped = SOCKET_MAPPED_IPV4.exec(text)
  // Stryker disable next-line ConditionalExpression: a shortcut: parsed, the mapped address is keyed by the same IPv4 text
  if (mapped) return mapped[1] as string
  const address = parseIpAddress(text)
  if (address === undefined) return undefined
  if ('ipv4' in address) return formatIpv4(address.ipv4)
  const ipv4 = embeddedIpv4(address.ipv6)
  return ipv4 === undefined ? ipv6NetworkKey(address.ipv6, ipv6Subnet) : formatIpv4(ipv4)
}

/** A part of dotted IPv4 as sockets write it: no leading zero, at most 255. */
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)'
const DOTTED = `(?:${OCTET}\\.){3}${OCTET}`

/** Dotted IPv4 as sockets write it. */
const SOCKET_IPV4 = new RegExp(`^${DOTTED}$`)

/** IPv4-mapped IPv6 as a dual-stack socket writes it: `::ffff:` and dotted IPv4. */
const SOCKET_MAPPED_IPV4 = new RegExp(`^::ffff:(${DOTTED})$`)

/** The network of `bits` bits an IPv6 address is in, as `2001:db8::/56` (the address itself at 128). */
function ipv6NetworkKey(groups: readonly number[], bits: number): string {
  const masked = groups.map((group, index) => {
    const kept = Math.min(16, Math.max(0, bits - index * 16))
    // Stryker disable next-line ConditionalExpression: a shortcut: with no bit kept, the mask (0xffff << 16) & 0xffff is 0 too
    return kept === 0 ? 0 : group & (0xffff << (16 - kept)) & 0xffff
  })
  return bits === 128 ? formatIpv6(masked) : `${formatIpv6(masked)}/${bits}`
}

function formatIpv4(ipv4: number): string {
  return `${ipv4 >>> 24}.${(ipv4 >>> 16) & 0xff}.${(ipv4 >>> 8) & 0xff}.${ipv4 & 0xff}`
}

/** RFC 5952 text: lower case, no leading zeros, the longest run of two or more zero groups as `::`. */
function formatIpv6(groups: readonly number[]): string {
  let bestStart = -1
  let bestLength = 1
  // Stryker disable next-line EqualityOperator: a run starting past the last group is empty
  for (let start = 0; start < 8; start++) {
    let length = 0
    while (groups[start + length] === 0) length++ // past the last group, undefined ends the run
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

/** What an adapter knows about where a request came from. */
export interface ClientAddress {
  /** The client address as the framework resolved it under its proxy setting; undefined when unknown. */
  readonly ip: string | undefined
  /** The `X-Forwarded-For` header as received, if any. */
  readonly forwardedFor: string | null | undefined
  /**
   * Which proxies were trusted for this request: none (its peer is no trusted proxy, so any
   * X-Forwarded-For went unread), some (a hop count, a list of addresses), or every one.
   */
  readonly proxyTrust: 'none' | 'some' | 'all'
}

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
      'A request came with X-Forwarded-For from a peer that is no trusted proxy, so the rate limit keys on the ' +
        `address of whatever sent it. If the app runs behind a proxy, trust exactly that proxy: ${proxyHint}.`,
    )
  if (address.proxyTrust === 'all')
    warnOnce(
      WARNING_CODES.everyProxyTrusted,
      'Every proxy is trusted, so any client can choose its rate limit key by sending X-Forwarded-For. ' +
        `Trust only the proxies in front of the app, for example one: ${proxyHint}.`,
    )
  if (address.ip) return clientKey(address.ip, ipv6Subnet)
  warnOnce(
    WARNING_CODES.noClientIp,
    `No client IP address was found for a request, so such requests share one quota under the key "${UNKNOWN_CLIENT_KEY}". ` +
      'Pass a `keyGenerator`, or give the adapter the peer address.',
  )
  return UNKNOWN_CLIENT_KEY
}
