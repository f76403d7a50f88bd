// The bounded map on its own (src/bounded-map.ts): never more than its bound, and the key pushed
// out is one not written since the cursor last came by (the CLOCK algorithm).
import { describe, expect, it } from 'vitest'
import { BoundedMap } from '../src/bounded-map.js'

const entry = (name: string) => ({ name, referenced: false })

describe('a bounded map', () => {
  it('pushes out a key not written again, sparing one that was', () => {
    const map = new BoundedMap<ReturnType<typeof entry>>(2)
    map.set('a', entry('a'))
    map.set('b', entry('b'))
    map.set('a', entry('a2'))
    map.set('c', entry('c'))
    expect([...map.entries()].map(([key]) => key)).toEqual(['a', 'c'])
    expect(map.has('b')).toBe(false)
    expect(map.get('a')?.name).toBe('a2')
  })

  it('stays within its bound when every key was written again: one round clears the marks', () => {
    const map = new BoundedMap<ReturnType<typeof entry>>(3)
    const held = ['a', 'b', 'c'].map((key) => {
      const value = entry(key)
      map.set(key, value)
      return value
    })
    for (const value of held) map.rewritten(value)
    for (const key of ['d', 'e', 'f', 'g']) {
      map.set(key, entry(key))
      expect(map.size).toBe(3)
    }
    expect(map.has('g')).toBe(true)
    expect(map.delete('g')).toBe(true)
    expect(map.size).toBe(2)
  })
})
