// The one path every adapter and ipKey take from address text to key: ports, brackets, zone ids
// and spellings normalised, embedded IPv4 folded, anything else one fallback key, in bounded time.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { defaultClientKey, proxiedClient } from '../src/http/client-ip.js'
import { forwardedClientIp } from '../src/http/forwarded-for.js'
import { ipKey } from '../src/index.js'

// Text that is no address warns once per process; this file makes plenty of it on purpose.
beforeAll(() => {
  vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
})
afterAll(() => {
  vi.restoreAllMocks()
})

describe('ipKey: what proxies and sockets write around an address', () => {
  it.each([
    ['1.2.3.4:51234', '1.2.3.4'],
    ['[2001:db8::1]:443', '2001:db8::/56'],
    ['[fe80::1%eth0]:80', 'fe80::/56'],
    ['fe80::1%25eth0', 'fe80::/56'],
    ['2001:DB8::1', '2001:db8::/56'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::/56'],
    ['010.001.000.009', '10.1.0.9'],
    [' \t203.0.113.7 ', '203.0.113.7'],
    [' [2001:db8::1]:8080 ', '2001:db8::/56'],
    ['[::ffff:203.0.113.7]:443', '203.0.113.7'],
  ])('keys %j as %j', (text, key) => {
    expect(ipKey(text)).toBe(key)
  })

  it.each([
    'unknown',
    '_hidden',
    '_gazonk',
    'proxy.example.com',
    'proxy.example.com:80',
    '',
    '   ',
    '1.2.3',
    '1.2.3.4.5',
    '1.2.3.256',
    '0x7f.0.0.1',
    '1.2.3.4:',
    '1.2.3.4:123456',
    '1.2.3.4:80:80',
    '[2001:db8::1',
    '[2001:db8::1]:',
    '[2001:db8::1]x',
    '[1.2.3.4]:80',
    'fe80::1%',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '00001::1',
    '::ffff:1.2.3.4:80',
  ])('keys %j, which is no IP address, as unknown-client', (text) => {
    expect(ipKey(text)).toBe('unknown-client')
  })

  it('keys 16 KB of `1:1:1:…` as unknown-client', () => {
    expect(ipKey(`1${':1'.repeat(8_191)}`)).toBe('unknown-client')
  })
})

describe('ipKey: IPv6 addresses that embed an IPv4 address are keyed by it', () => {
  it.each([
    ['::ffff:198.51.100.7', 'IPv4-mapped'],
    ['::FFFF:C633:6407', 'IPv4-mapped, in hex'],
    ['0:0:0:0:0:ffff:198.51.100.7', 'IPv4-mapped, uncompressed'],
    ['::198.51.100.7', 'IPv4-compatible'],
    ['::c633:6407', 'IPv4-compatible, in hex'],
    ['64:ff9b::198.51.100.7', 'NAT64, well-known prefix'],
    ['64:ff9b::c633:6407', 'NAT64, well-known prefix, in hex'],
    ['64:ff9b:1:abcd:0:ef:c633:6407', 'NAT64, a /96 in the local-use prefix'],
    ['64:ff9b:1:abcd:c6:3364:700:0', 'NAT64, a /64 in the local-use prefix'],
    ['2002:c633:6407::1', '6to4'],
    ['2001:0:4136:e378:8000:63bf:39cc:9bf8', 'Teredo (client address inverted)'],
  ])('keys %s (%s) as 198.51.100.7', (text) => {
    expect(ipKey(text)).toBe('198.51.100.7')
  })

  it.each([
    ['::', '::/56'],
    ['::1', '::/56'],
    ['::0.0.1.2', '::/56'],
    ['64:ff9b:1:abcd:ff00:0:c633:6407', '64:ff9b:1:ab00::/56'],
    ['64:ff9b:0:0:1::c633:6407', '64:ff9b::/56'],
    ['2001:db8::c633:6407', '2001:db8::/56'],
  ])('keys %s, which embeds none, by its network: %s', (text, key) => {
    expect(ipKey(text)).toBe(key)
  })

  it('keys two NAT64 or IPv4-compatible clients with different IPv4 addresses apart', () => {
    expect(ipKey('64:ff9b::1.2.3.4')).not.toBe(ipKey('64:ff9b::5.6.7.8'))
    expect(ipKey('::1.2.3.4')).not.toBe(ipKey('::5.6.7.8'))
    expect(ipKey('::1.2.3.4')).not.toBe(ipKey('::1'))
  })
})

const octet = fc.integer({ min: 0, max: 255 })
const ipv4 = fc.tuple(octet, octet, octet, octet)
const hex = (value: number, zeros: boolean, upper: boolean) => {
  const text = zeros ? value.toString(16).padStart(4, '0') : value.toString(16)
  return upper ? text.toUpperCase() : text
}

describe('ipKey: however an address is written, one key', () => {
  it('keys every IPv4 address, plain, with a port, mapped, NAT64 or padded with zeros, as its dotted form', () => {
    fc.assert(
      fc.property(ipv4, fc.integer({ min: 0, max: 65_535 }), fc.boolean(), fc.boolean(), ([a, b, c, d], port, z, u) => {
        const dotted = `${a}.${b}.${c}.${d}`
        const high = hex(a * 256 + b, z, u)
        const low = hex(c * 256 + d, z, u)
        const forms = [
          dotted,
          `${dotted}:${port}`,
          [a, b, c, d].map((part) => String(part).padStart(3, '0')).join('.'),
          `::ffff:${dotted}`,
          `[${u ? '::FFFF' : '::ffff'}:${high}:${low}]:${port}`,
          `64:ff9b::${high}:${low}`,
          `0064:ff9b:0:0:0:0:${dotted}`,
          `2002:${high}:${low}::${hex(port, z, u)}`,
        ]
        for (const form of forms) expect(ipKey(form), form).toBe(dotted)
      }),
    )
  })

  it('keys every IPv6 address the same, compressed or not, in any case, bracketed with a port, with a zone id', () => {
    const group = fc.integer({ min: 0, max: 0xffff })
    // Global unicast outside the prefixes that embed IPv4 (6to4 2002::/16, Teredo 2001::/32), with
    // a run of zero groups somewhere after the first, to write as `::`.
    const first = fc.integer({ min: 0x2400, max: 0x3fff })
    const zeros = fc.tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }))
    const address = fc.tuple(first, fc.array(group, { minLength: 7, maxLength: 7 }), zeros)
    fc.assert(
      fc.property(
        address,
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 128 }),
        ([head, rest, run], z, u, bits) => {
          const [start, end] = [run[0], Math.min(8, run[0] + run[1])]
          const groups = [head, ...rest].fill(0, start, end)
          const written = (part: readonly number[]) => part.map((value) => hex(value, z, u)).join(':')
          const key = ipKey(written(groups), bits)
          expect(ipKey(`${written(groups.slice(0, start))}::${written(groups.slice(end))}`, bits)).toBe(key)
          expect(ipKey(`[${written(groups)}]:443`, bits)).toBe(key)
          expect(ipKey(`${written(groups)}%eth0`, bits)).toBe(key)
          expect(ipKey(written(groups).toUpperCase(), bits)).toBe(key)
        },
      ),
    )
  })
})

describe('forwardedClientIp: X-Forwarded-For read from the right', () => {
  it('skips empty entries, as Express does', () => {
    expect(forwardedClientIp('10.0.0.1', '198.51.100.1, , 203.0.113.9,', 1)).toBe('203.0.113.9')
    expect(forwardedClientIp('10.0.0.1', '198.51.100.1, , 203.0.113.9,', 2)).toBe('198.51.100.1')
    expect(forwardedClientIp('10.0.0.1', ' ,, 198.51.100.1', true)).toBe('198.51.100.1')
    expect(forwardedClientIp('10.0.0.1', ' , ,', 1)).toBe('10.0.0.1')
  })

  it('stops at an entry longer than any address, which keys as unknown-client, whatever lies beyond it', () => {
    const long = 'x'.repeat(16_000)
    for (const [header, hops] of [
      [`198.51.100.1, ${long}`, 2],
      [`198.51.100.1, ${long}, 203.0.113.9`, 3],
      [`${long}, 198.51.100.1`, true],
    ] as const) {
      const entry = forwardedClientIp('10.0.0.1', header, hops)
      expect(entry?.length).toBeLessThan(200)
      expect(ipKey(entry ?? '')).toBe('unknown-client')
    }
    expect(forwardedClientIp('10.0.0.1', `${long}, 198.51.100.1`, 1)).toBe('198.51.100.1')
  })
})

/** Text built to be hard: a short fragment of address characters repeated up to 16 KB. */
const hostile = fc
  .tuple(
    fc.string({
      unit: fc.constantFrom(...'0123456789abcdefABCDEF:.[]%, \t\n_-x'.split('')),
      minLength: 1,
      maxLength: 24,
    }),
    fc.integer({ min: 1, max: 16_384 }),
  )
  .map(([fragment, times]) => fragment.repeat(times).slice(0, 16_384))

/** The least of three timings of `run`, in ms: a pause of the machine's does not fail the test. */
function leastMs(run: () => unknown): number {
  let least = Number.POSITIVE_INFINITY
  for (let attempt = 0; attempt < 3; attempt++) {
    const startedMs = performance.now()
    run()
    least = Math.min(least, performance.now() - startedMs)
  }
  return least
}

describe('bounded time on hostile text', () => {
  it('keys any text of up to 16 KB within 5 ms (a loose bound: the benchmark measures about 1 µs)', {
    tags: ['speed'],
  }, () => {
    fc.assert(
      fc.property(hostile, (text) => {
        expect(leastMs(() => ipKey(text))).toBeLessThan(5)
      }),
      { numRuns: 200 },
    )
  })

  it('keys a request with any X-Forwarded-For of up to 16 KB within 5 ms, whatever hops are trusted', {
    tags: ['speed'],
  }, () => {
    fc.assert(
      fc.property(hostile, fc.constantFrom<number | boolean>(1, 2, 16, true), (header, hops) => {
        const key = () => defaultClientKey(proxiedClient('10.0.0.1', header, hops), 56, 'trustProxy: 1')
        expect(leastMs(key)).toBeLessThan(5)
      }),
      { numRuns: 200 },
    )
  })
})
