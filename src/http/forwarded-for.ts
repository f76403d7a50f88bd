// X-Forwarded-For read as far as the trusted proxies vouch for it and no further: from the right
// (each proxy appends the address it received from), so a header a client filled with 16 KB costs
// only the entries the trusted hops need.
import { MAX_ADDRESS_LENGTH } from './ip-text.js'

/**
 * The client address behind `trustedHops` proxies, as Express resolves it for `trust proxy` set
 * to a number: the socket peer is hop 0, X-Forwarded-For's entries from the right the next hops,
 * and the client is the entry after the last trusted hop (or the leftmost, when the header has
 * fewer). `true` trusts every hop and takes the leftmost entry; `false` (or 0) takes the socket
 * peer. Empty entries are skipped, as Express does. An entry longer than any address ends the walk:
 * it is the answer (no address, so unknown-client), and nothing beyond it is read.
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
  if (!forwardedFor) return socketIp
  // Stryker disable next-line ConditionalExpression,LogicalOperator: a shortcut: a walk of no hop reads no entry
  if (trustedHops === false || trustedHops === 0) return socketIp
  const entry = trustedHops === true ? leftmostEntry(forwardedFor) : entryFromRight(forwardedFor, trustedHops)
  return entry ?? socketIp
}

/**
 * Entries are looked at this far and no further: one this long is longer than any address, at the
 * edge of the header as between commas (its key is unknown-client), so what lies beyond it in a
 * 16 KB header is never scanned.
 */
const LONGEST_ENTRY = MAX_ADDRESS_LENGTH + 1

const COMMA = 44

/** The `hops`-th non-empty entry from the right, or the leftmost when there are fewer; undefined for none. */
function entryFromRight(header: string, hops: number): string | undefined {
  let found: string | undefined
  let seen = 0
  let end = header.length
  while (seen < hops) {
    const start = entryStart(header, end)
    if (start < 0) return header.slice(end - LONGEST_ENTRY, end)
    const entry = trimmed(header, start, end)
    if (entry !== '') [found, seen] = [entry, seen + 1]
    if (start === 0) break
    end = start - 1
  }
  return found
}

/** The first non-empty entry from the left; undefined for none. */
function leftmostEntry(header: string): string | undefined {
  let start = 0
  while (start < header.length) {
    const end = entryEnd(header, start)
    if (end < 0) return header.slice(start, start + LONGEST_ENTRY)
    const entry = trimmed(header, start, end)
    if (entry !== '') return entry
    start = end + 1
  }
  return undefined
}

/** Where the entry that ends at `end` starts (after a comma, or 0); -1 when it is longer than any address. */
function entryStart(header: string, end: number): number {
  const reach = end - LONGEST_ENTRY
  for (let index = end - 1; index >= 0 && index >= reach; index--)
    if (header.charCodeAt(index) === COMMA) return index + 1
  return reach < 0 ? 0 : -1
}

/** Where the entry that starts at `start` ends (at a comma, or the header's end); -1 when it is longer than any address. */
function entryEnd(header: string, start: number): number {
  const reach = start + LONGEST_ENTRY
  for (let index = start; index < header.length && index < reach; index++)
    if (header.charCodeAt(index) === COMMA) return index
  return reach > header.length ? header.length : -1
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
