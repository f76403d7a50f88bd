import { oursInMemory } from './contenders/ours.js'
import { peersInMemory } from './contenders/peers.js'
import { drive } from './drive.js'
import { keyModes } from './keys.js'

const who = process.argv[2] ?? 'ours'
const mode = process.argv[3] ?? 'hot'
const all = [oursInMemory, ...peersInMemory]
const c = all.find((x) => x.id.startsWith(who))
for (let r = 0; r < 5; r++) {
  const decide = await c.open({ prefix: `p${r}`, defer: () => {} })
  await drive({ decide, nextKey: keyModes[mode], concurrency: 1, durationMs: 200 })
  const res = await drive({ decide, nextKey: keyModes[mode], concurrency: 1, durationMs: 1000 })
  console.log(c.id, mode, Math.round(res.perSecond))
}
