// Reading an IP address out of the text a socket, a framework or a proxy gives: one pass over at
// most MAX_ADDRESS_LENGTH characters, no regular expressions, no splitting, so hostile text costs
// no more than an address does.

/** An IP address: IPv4 as a 32-bit unsigned number, or IPv6 as its eight 16-bit groups. */
export type IpAddress = { readonly ipv4: number } | { readonly ipv6: readonly number[] }

/**
 * Longer text is not an address: a bracketed IPv6 address with an embedded IPv4 part, a zone id
 * and a port (`[ffff:…:255.255.255.255%eth0]:65535`) is about 70 characters.
 */
export const MAX_ADDRESS_LENGTH = 128

const COLON = 58
const DOT = 46

/**
 * The address in `text`, or undefined when it holds none. Takes surrounding whitespace, brackets
 * (`[2001:db8::1]`), a port (`1.2.3.4:51234`, `[2001:db8::1]:443`) and a zone id (`fe80::1%eth0`),
 * upper-case hex and leading zeros (`010.000.0.255` is 10.0.0.255, read as decimal).
 *
 * @example
 * ```ts
 * parseIpAddress('[2001:DB8::1]:443') // { ipv6: [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1] }
 * ```
 */
export function parseIpAddress(text: string): IpAddress | undefined {
  if (text.length > MAX_ADDRESS_LENGTH) return undefined
  let start = 0
  let end = text.length
  // Stryker disable next-line ConditionalExpression,EqualityOperator: past the text's end charCodeAt reads NaN, which stops the loop as well
  while (start < end && isBlank(text.charCodeAt(start))) start++
  // Stryker disable next-line ConditionalExpression,EqualityOperator: text that is all whitespace is no address wherever its end lands
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--
  if (text[start] === '[') {
    const close = text.indexOf(']', start)
    // Stryker disable next-line ConditionalExpression,EqualityOperator: with no `]`, the port check that follows refuses the text from its start
    if (close < 0) return undefined
    if (!isPortOrNothing(text, close + 1, end)) return undefined
    return ipv6Of(text, start + 1, close)
  }
  const colon = text.indexOf(':', start)
  // A dot before the first colon: IPv4 with a port, since IPv6 text has one only after its last colon.
  const dot = text.indexOf('.', start)
  // Stryker disable next-line EqualityOperator: a dot at the colon cannot be, and text that starts with a dot is no address either way
  const dotFirst = dot >= 0 && dot < colon
  if (colon < 0 || dotFirst) {
    // Stryker disable next-line EqualityOperator: a colon first (at 0) is no IPv4 text: it never comes here
    const ipv4End = colon >= 0 ? colon : end
    if (!isPortOrNothing(text, ipv4End, end)) return undefined
    const ipv4 = parseIpv4(text, start, ipv4End)
    return ipv4 === undefined ? undefined : { ipv4 }
  }
  return ipv6Of(text, start, end)
}

/** IPv6 between `start` and `end`, a zone id after `%` dropped. */
function ipv6Of(text: string, start: number, end: number): IpAddress | undefined {
  const percent = text.indexOf('%', start)
  // Stryker disable next-line EqualityOperator: text that starts with `%` is no address, zoned or not
  const zoned = percent >= 0
  // A zone id names an interface: it has at least one character.
  if (zoned && percent + 1 === end) return undefined
  const ipv6 = parseIpv6(text, start, zoned ? percent : end)
  return ipv6 === undefined ? undefined : { ipv6 }
}

/** Whether `text` from `start` to `end` is empty or `:` and a port of 1 to 5 digits. */
function isPortOrNothing(text: string, start: number, end: number): boolean {
  if (start === end) return true
  if (text.charCodeAt(start) !== COLON || end - start < 2 || end - start > 6) return false
  for (let index = start + 1; index < end; index++) if (digitAt(text, index) < 0) return false
  return true
}

/** Dotted-decimal IPv4: four parts of 1 to 3 digits, each at most 255. */
export function parseIpv4(text: string, start: number, end: number): number | undefined {
  let value = 0
  let part = 0
  let digits = 0
  let dots = 0
  for (let index = start; index < end; index++) {
    const digit = digitAt(text, index)
    if (digit >= 0) {
      part = part * 10 + digit
      if (++digits > 3 || part > 255) return undefined
    } else if (text.charCodeAt(index) === DOT && digits > 0) {
      value = value * 256 + part
      ;[part, digits] = [0, 0]
      dots++
    } else return undefined
  }
  return dots === 3 && digits > 0 ? value * 256 + part : undefined
}

/** IPv6 text (RFC 4291 2.2): groups of 1 to 4 hex digits, one `::` at most, a dotted IPv4 tail allowed. */
function parseIpv6(text: string, start: number, end: number): number[] | undefined {
  const groups: number[] = []
  let gap = -1
  let index = start
  if (text.charCodeAt(index) === COLON) {
    if (text.charCodeAt(index + 1) !== COLON) return undefined
    gap = 0
    index += 2
  }
  while (index < end) {
    const groupStart = index
    index = hexRunEnd(text, index, end)
    if (index < end && text.charCodeAt(index) === DOT) {
      const ipv4 = parseIpv4(text, groupStart, end)
      if (ipv4 === undefined) return undefined
      groups.push(Math.floor(ipv4 / 0x10000), ipv4 % 0x10000)
      index = end
      break
    }
    if (index === groupStart || index - groupStart > 4) return undefined
    groups.push(hexValue(text, groupStart, index))
    if (index === end) break
    if (text.charCodeAt(index) !== COLON || index + 1 === end) return undefined
    index++
    if (text.charCodeAt(index) === COLON) {
      if (gap >= 0) return undefined
      gap = groups.length
      index++
    }
  }
  if (index < end) return undefined
  return gap < 0 ? (groups.length === 8 ? groups : undefined) : withZeros(groups, gap)
}

/** The groups with `::` at `gap` written out as zero groups; undefined when `::` would stand for none. */
function withZeros(groups: number[], gap: number): number[] | undefined {
  if (groups.length > 7) return undefined
  groups.splice(gap, 0, ...new Array<number>(8 - groups.length).fill(0))
  return groups
}

/** Where the hex digits from `start` end. */
function hexRunEnd(text: string, start: number, end: number): number {
  let index = start
  // Stryker disable next-line ConditionalExpression,EqualityOperator: what ends an IPv6 text (`%`, `]`, whitespace, the text's end) is no hex digit
  while (index < end && isHexDigit(text, index)) index++
  return index
}

/** Whitespace or a control character, as trimmed around an address. */
function isBlank(code: number): boolean {
  return code <= 32
}

function isHexDigit(text: string, index: number): boolean {
  return hexDigitAt(text, index) >= 0
}

function hexValue(text: string, start: number, end: number): number {
  let value = 0
  for (let index = start; index < end; index++) value = value * 16 + hexDigitAt(text, index)
  return value
}

function digitAt(text: string, index: number): number {
  const code = text.charCodeAt(index)
  return code >= 48 && code <= 57 ? code - 48 : -1
}

function hexDigitAt(text: string, index: number): number {
  const code = text.charCodeAt(index)
  if (code >= 48 && code <= 57) return code - 48
  const lower = code | 0x20
  return lower >= 97 && lower <= 102 ? lower - 87 : -1
}
