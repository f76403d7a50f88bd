// Client keys the contenders decide on: one hot key, or keys drawn uniformly from a fixed pool,
// shaped like the IPv4 addresses a limiter keys on by default.

/** Distinct clients in the random-keys runs. */
export const RANDOM_KEY_COUNT = 100_000

/** The key every decision of a hot-key run uses. */
export const HOT_KEY = '203.0.113.7'

const pool = Array.from({ length: RANDOM_KEY_COUNT }, (_, index) => ipv4(0x0a000000 + index))

function ipv4(address) {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 255).join('.')
}

/** The key sources of a run, by name. */
export const keyModes = {
  hot: () => HOT_KEY,
  random: () => pool[Math.floor(Math.random() * RANDOM_KEY_COUNT)],
}

/** `hot key` or `random keys`, for tables. */
export const keysLabel = (mode) => (mode === 'hot' ? 'hot key' : `${mode} keys`)
