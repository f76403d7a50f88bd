import * as crypto from 'node:crypto'

/** Node 20.12+ hashes short inputs in one call, without a Hash object. */
const hashOnce = (crypto as { hash?: (algorithm: string, data: string, encoding: string) => string }).hash

/** SHA-256 of `text`, by default in base64url: 43 characters, none of them `{`, `}` or `:`. */
export function digest(text: string, encoding: 'base64url' | 'base64' = 'base64url'): string {
  return hashOnce ? hashOnce('sha256', text, encoding) : crypto.createHash('sha256').update(text).digest(encoding)
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

/** Client keys longer than this are held in process memory by their digest. */
const LONGEST_KEPT_KEY = 128

/**
 * The client key as in-process maps hold it: itself, or `#` and its digest when long, so that long
 * keys cannot bloat memory. A short key that starts with `#` gets one more, so none can pose as a
 * digest; every other key is used as it is, with no string built.
 */
export function boundedKey(key: string): string {
  if (key.length > LONGEST_KEPT_KEY) return `#${digest(key)}`
  return key.charCodeAt(0) === 35 /* # */ ? `#${key}` : key
}
