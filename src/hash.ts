import * as crypto from 'node:crypto'

/** Node 20.12+ hashes short inputs in one call, without a Hash object. */
const hashOnce = (crypto as { hash?: (algorithm: string, data: string | Buffer, encoding: string) => string }).hash

/** A UTF-16 code unit of a surrogate pair's half that has no other half: text UTF-8 cannot encode. */
const LONE_SURROGATE = /\p{Cs}/u

/** Opens the hashed bytes of ill-formed text: 0xFF never occurs in UTF-8, so no well-formed text hashes alike. */
const ILL_FORMED_DOMAIN = Buffer.from([0xff])

/**
 * SHA-256 of `text`, by default in base64url: 43 characters, none of them `{`, `}` or `:`. Distinct
 * texts get distinct digests: well-formed text is hashed as its UTF-8 bytes, and text with a lone
 * surrogate (which UTF-8 would turn into U+FFFD, like a real U+FFFD) as 0xFF and its UTF-16 code
 * units, which no UTF-8 text starts with.
 */
export function digest(text: string, encoding: 'base64url' | 'base64' = 'base64url'): string {
  const data = LONE_SURROGATE.test(text) ? Buffer.concat([ILL_FORMED_DOMAIN, Buffer.from(text, 'utf16le')]) : text
  return hashOnce ? hashOnce('sha256', data, encoding) : crypto.createHash('sha256').update(data).digest(encoding)
}

/**
 * `compute`, remembering its answer for the last key only. Traffic that matters most to a limiter
 * comes in runs from one client (a burst, a retry loop, an attack), and a digest costs more than
 * the rest of a decision's work in Node; a run of keys that all differ pays one string comparison.
 */
export function lastKeyMemo(compute: (key: string) => string): (key: string) => string {
  let lastKey: string | undefined
  let lastAnswer = ''
  return (key) => {
    if (key !== lastKey) {
      lastAnswer = compute(key)
      lastKey = key
    }
    return lastAnswer
  }
}

/**
 * The client key as it may be shown outside: the first 12 bytes of SHA-256 over the prefix and the
 * key, in base64 (exactly 16 characters, no padding), so it tells quotas apart but not who. The
 * draft-8 `RateLimit` header sends it as `pk` (a Byte Sequence: between colons), and the diagnostics
 * channels as `partitionKey`, so the two can be matched.
 */
export function partitionKey(prefix: string, key: string): string {
  return digest(`${prefix}\n${key}`, 'base64').slice(0, 16)
}

/** Client keys longer than this are held in process memory by their digest. */
const LONGEST_KEPT_KEY = 128

/**
 * The client key as in-process maps hold it: itself, or `#` and its digest when long, so that long
 * keys cannot bloat memory. A short key that starts with `#` gets one more, so none can pose as a
 * digest; every other key is used as it is, with no string built. Distinct keys stay distinct,
 * lone UTF-16 surrogates included (see {@link digest}).
 */
export function boundedKey(key: string): string {
  if (key.length > LONGEST_KEPT_KEY) return `#${digest(key)}`
  return key.charCodeAt(0) === 35 /* # */ ? `#${key}` : key
}
