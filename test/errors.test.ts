// The errors users meet (src/errors.ts): their names, stable codes and messages, as a program
// matches them, and what each says of the store's health.
import { describe, expect, it } from 'vitest'
import { healthSignOf } from '../src/errors.js'
import { RateLimitOptionsError, StoreTimeoutError, StoreUnavailableError } from '../src/index.js'

describe('the errors', () => {
  it('carry a name and a stable code a program can match', () => {
    const options = new RateLimitOptionsError('Expected `limit` to be a positive integer, got -1')
    expect(options).toBeInstanceOf(TypeError)
    expect([options.name, options.code]).toEqual(['RateLimitOptionsError', 'ERR_RATE_LIMIT_OPTIONS'])
    const timeout = new StoreTimeoutError(250)
    expect([timeout.name, timeout.code, timeout.timeoutMs]).toEqual([
      'StoreTimeoutError',
      'ERR_RATE_LIMIT_STORE_TIMEOUT',
      250,
    ])
    expect(timeout.message).toBe('The rate limit store did not answer within 250 ms')
    const unavailable = new StoreUnavailableError('the Redis client is reconnecting')
    expect([unavailable.name, unavailable.code]).toEqual(['StoreUnavailableError', 'ERR_RATE_LIMIT_STORE_UNAVAILABLE'])
    expect(String(unavailable)).toBe('StoreUnavailableError: the Redis client is reconnecting')
  })

  it('say what a failure tells of the store: refused at once, a script error about one key, or failed', () => {
    expect(healthSignOf(new StoreUnavailableError('closed'))).toBe('unknown')
    expect(healthSignOf(new Error('ERR user_script:16: atomic-ratelimit: k does not hold fixed-window state'))).toBe(
      'answered',
    )
    expect(healthSignOf(new StoreTimeoutError(100))).toBe('failed')
    expect(healthSignOf(new Error('connect ECONNREFUSED 127.0.0.1:6379'))).toBe('failed')
  })
})
