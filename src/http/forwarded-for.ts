// X-Forwarded-For read as far as the trusted proxies vouch for it and no further: from the right
// (each proxy appends the address it received from), so a header a client filled with 16 KB costs
// only the entries the trusted hops need.

/**
 * The client address behind `trustedHops` proxies, as Express resolves it for `trust proxy` set
 * to a number: the socket peer is hop 0, X-Forwarded-For's entries from the right the next hops,
 * and the client is the entry after the last trusted hop (or the leftmost, when the header has
 * fewer). `true` trusts every hop and takes the leftmost entry; `false` (or 0) takes the socket
 * peer. Empty entries are skipped, as Express does.
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
  const entry = trustedHops === true ? leftmostEntry(forwardedFor) : entryFromRight(forwardedFor, trustedHops)
  return entry ?? socketIp
}

/** The `hops`-th non-empty entry from the right, or the leftmost when there are fewer; undefined for none. */
function entryFromRight(header: string, hops: number): string | undefined {
  let found: string | undefined
  let seen = 0
  let end = header.length
  while (seen < hops) {
    const comma = end > 0 ? header.lastIndexOf(',', end - 1) : -1
    const entry = trimmed(header, comma + 1, end)
    if (entry !== '') [found, seen] = [entry, seen + 1]
    if (comma < 0) break
    end = comma
  }
  return found
}

/** The first non-empty entry from the left; undefined for none. */
function leftmostEntry(header: string): string | undefined {
  let start = 0
  while (start <= header.length) {
    const comma = header.indexOf(',', start)
    const end = comma < 0 ? header.length : comma
    const entry = trimmed(header, start, end)
    if (entry !== '') return entry
    if (comma < 0) return undefined
    start = end + 1
  }
  return undefined
}

/** `text` from `start` to `end`, without the spaces and tabs around it. */
function trimmed(text: string, start: number, end: number): string {
  let from = start
  let to = end
  while (from < to && isSpace(text.charCodeAt(from))) from++
  while (to > from && isSpace(text.charCodeAt(to - 1))) to--
  return text.slice(from, to)
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9
}
