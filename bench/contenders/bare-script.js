// The bare fixed-window script, loaded once and fired by EVALSHA: the Redis ceiling, and the core
// of the minimal HTTP wrappers.
import { readFileSync } from 'node:fs'
import { LIMIT, WINDOW_MS } from '../settings.js'
import { nodeRedisBeside } from './other-clients.js'
import { verdictOf } from './verdict.js'

const SOURCE = readFileSync(new URL('../bare-fixed-window.lua', import.meta.url), 'utf8')

const verdictOfCount = (count) => verdictOf(count <= LIMIT)

/**
 * Loads the script through `client` (ioredis) and resolves to `decide(key)`, which resolves to
 * `'allowed'` or `'denied'`: one EVALSHA and one comparison, nothing more.
 */
export async function loadBareScript(client, prefix) {
  const sha1 = await client.script('LOAD', SOURCE)
  const windowMs = String(WINDOW_MS)
  return (key) => client.evalsha(sha1, 1, `${prefix}:${key}`, windowMs).then(verdictOfCount)
}

/** The ceiling of the Redis decision runs. */
export const ceiling = {
  id: 'bare script (ceiling)',
  side: 'ceiling',
  open: ({ client, prefix }) => loadBareScript(client, prefix),
}

/**
 * The same script through node-redis, which writes the calls of one turn of the event loop in one
 * go: the ceiling a node-redis user compares with. Loaded through `client` (ioredis), on the
 * same server; a reference row, not a contender.
 */
export const ceilingOnNodeRedis = {
  id: 'bare script, node-redis',
  side: 'reference',
  sendsOwnCommands: true,
  open: async ({ client, prefix }) => {
    const sha1 = await client.script('LOAD', SOURCE)
    const nodeRedis = await nodeRedisBeside(client)
    const windowMs = String(WINDOW_MS)
    return (key) => nodeRedis.sendCommand(['EVALSHA', sha1, '1', `${prefix}:${key}`, windowMs]).then(verdictOfCount)
  },
}
