// Redis memory per tracked client: one decision on an empty database, then MEMORY USAGE of every
// key it wrote. Each limiter keeps its default prefix, and ours its default policy name
// (`100-per-60s`), since key names are part of the bytes.
import { ceiling } from './contenders/bare-script.js'
import { HOT_KEY } from './keys.js'

/** The limit of our default policy, whose name (`100-per-60s`) goes into the key. */
const DEFAULT_LIMIT = 100

/** Resolves to one row per contender: the keys one client's decision left, and their bytes. */
export async function measureBytesPerKey({ client, contenders }) {
  const rows = []
  for (const contender of [ceiling, ...contenders]) {
    await client.flushdb()
    // The bare script has no default prefix: it gets the one the fixed-window peers use.
    const prefix = contender === ceiling ? 'rl' : undefined
    const decide = await contender.open({ client, prefix, limit: DEFAULT_LIMIT, defer: () => {} })
    await decide(HOT_KEY)
    const keys = []
    for (const key of await client.keys('*')) {
      const [type, bytes] = await Promise.all([client.type(key), client.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')])
      keys.push({ key, type, bytes })
    }
    rows.push({ id: contender.id, side: contender.side, keys, bytes: keys.reduce((sum, key) => sum + key.bytes, 0) })
  }
  return rows
}
