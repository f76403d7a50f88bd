// The circuit breaker on its own (src/breaker.ts): when it opens, the one probe of half-open, and
// what it tells onStateChange, on a cool-down short enough to wait out.
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it, vi } from 'vitest'
import { CircuitBreaker, type CircuitState } from '../src/breaker.js'

function breakerWith(onStateChange?: (state: CircuitState, error: unknown, domain: string) => void) {
  return new CircuitBreaker({ failureThreshold: 2, cooldownMs: 20, onStateChange }, 'redis:6379', 'rl')
}

describe('the circuit breaker', () => {
  it('opens at the threshold once, lets one probe through after the cool-down, and closes on its success', async () => {
    const changes: [CircuitState, unknown, string][] = []
    const breaker = breakerWith((state, error, domain) => changes.push([state, error, domain]))
    breaker.failed('first')
    expect(breaker.allowsCall()).toBe(true)
    breaker.failed('second')
    breaker.failed('third, while open')
    expect([breaker.state, breaker.allowsCall()]).toEqual(['open', false])
    await sleep(25)
    expect(breaker.allowsCall()).toBe(true)
    expect([breaker.state, breaker.allowsCall()]).toEqual(['half-open', false])
    breaker.succeeded()
    expect([breaker.state, breaker.allowsCall()]).toEqual(['closed', true])
    expect(changes).toEqual([
      ['open', 'second', 'redis:6379'],
      ['half-open', undefined, 'redis:6379'],
      ['closed', undefined, 'redis:6379'],
    ])
  })

  it('reports an onStateChange that throws, and goes on', () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    try {
      const breaker = breakerWith(() => {
        throw new Error('callback')
      })
      breaker.failed('one')
      breaker.failed('two')
      expect(breaker.state).toBe('open')
      expect(consoleError).toHaveBeenCalledWith(
        'atomic-ratelimit: the circuit breaker onStateChange callback threw',
        expect.objectContaining({ message: 'callback' }),
      )
    } finally {
      consoleError.mockRestore()
    }
  })
})
