// Distinct client keys never share a bucket, on either store: text with a lone UTF-16 surrogate
// (which UTF-8 would turn into U+FFFD) is hashed by its code units under a domain of its own, and
// every well-formed key keeps the store key it always had, so existing Redis data keeps its buckets.
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { boundedKey, digest } from '../src/hash.js'
import { fixedWindow, RateLimiter } from '../src/index.js'
import { redisKeys } from '../src/redis-store.js'
import { uniquePrefix } from './helpers/redis.js'
import { createStore } from './helpers/stores.js'

const LONG = 'x'.repeat(200)

/** Pairs of keys that UTF-8 encodes alike: each must still be a client of its own. */
const lookalikes: [string, string][] = [
  ['user\uD800', 'user\uFFFD'],
  ['user\uDC00', 'user\uFFFD'],
  ['user\uD800', 'user\uDBFF'],
  ['\uD800user', '\uFFFDuser'],
  [`${LONG}\uD800`, `${LONG}\uFFFD`],
  [`${LONG}\uDFFF`, `${LONG}\uD800`],
]

const policies = [fixedWindow({ limit: 1, windowMs: 60_000 })]
const tagOf = (key: string) => {
  const redisKey = redisKeys({ prefix: 'rl', key, policies })[0] as string
  return redisKey.slice(redisKey.indexOf('{') + 1, redisKey.indexOf('}'))
}
const sha256Utf8 = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64url')

describe('keys to store keys', () => {
  it.each(lookalikes)('gives %j and %j different digests, Redis tags and memory keys', (one, other) => {
    expect(digest(one)).not.toBe(digest(other))
    expect(tagOf(one)).not.toBe(tagOf(other))
    expect(boundedKey(one)).not.toBe(boundedKey(other))
  })

  it('keeps the store key of every well-formed key: the SHA-256 of its UTF-8, as before', () => {
    for (const key of ['é', 'a b', '😀 user', 'user\uFFFD', '\uD83D\uDE00', LONG, `${LONG}\uFFFD`]) {
      expect(digest(key)).toBe(sha256Utf8(key))
      expect(tagOf(key)).toBe(`#${sha256Utf8(key).slice(0, 11)}`)
    }
    expect(boundedKey(LONG)).toBe(`#${sha256Utf8(LONG)}`)
    expect(tagOf('10.0.0.1')).toBe('10.0.0.1')
  })

  it('holds in memory keys of up to 128 characters as they are, a longer one by its digest, a # first doubled', () => {
    const longest = 'k'.repeat(128)
    expect(boundedKey(longest)).toBe(longest)
    expect(boundedKey(`${longest}k`)).toBe(`#${sha256Utf8(`${longest}k`)}`)
    expect(boundedKey('#abc')).toBe('##abc')
    expect(boundedKey('a#bc')).toBe('a#bc')
  })
})

describe.each(['memory', 'standalone', 'cluster'] as const)('on the %s store', (kind) => {
  const store = createStore(kind)

  it.each(lookalikes)('counts %j and %j apart', async (one, other) => {
    const limiter = new RateLimiter({ store, policy: policies, prefix: uniquePrefix('injective') })
    expect((await limiter.consume(one)).allowed).toBe(true)
    expect((await limiter.consume(other)).allowed).toBe(true)
    expect((await limiter.consume(one)).allowed).toBe(false)
    expect((await limiter.consume(other)).allowed).toBe(false)
  })
})
