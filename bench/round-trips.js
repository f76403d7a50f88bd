// What one decision asks of Redis: the commands the client sent (each a request and its reply,
// which is what a round trip is) and the commands Redis ran for them (INFO commandstats, which
// also counts the commands a script runs inside Redis).
import { ceiling } from './contenders/bare-script.js'
import { keyModes } from './keys.js'

/** Decisions in flight: enough for coalescing to group some. */
const IN_FLIGHT = 64

/** Resolves to one row per contender: sent and run commands per decision, by name. */
export async function measureRoundTrips({ client, contenders, decisions }) {
  const rows = []
  let runs = 0
  for (const contender of [ceiling, ...contenders]) {
    const decide = await contender.open({ client, prefix: `trips${++runs}`, defer: () => {} })
    // Scripts load, and clients define their commands, on the first decisions: not counted.
    for (let warmup = 0; warmup < 10; warmup++) await decide(keyModes.random())
    await client.config('RESETSTAT')
    const sent = await countingSentCommands(client, () => decideMany(decide, decisions))
    const ran = parseCommandStats(await client.info('commandstats'))
    const perDecision = (counts) =>
      Object.fromEntries(Object.entries(counts).map(([name, calls]) => [name, calls / decisions]))
    rows.push({ id: contender.id, side: contender.side, decisions, sent: perDecision(sent), ran: perDecision(ran) })
  }
  return rows
}

async function decideMany(decide, decisions) {
  const slot = async () => {
    for (let count = 0; count < decisions / IN_FLIGHT; count++) await decide(keyModes.random())
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, slot))
}

/** Runs `work` while counting, by name, the commands the ioredis client sends. */
async function countingSentCommands(client, work) {
  const counts = {}
  const send = client.sendCommand
  client.sendCommand = function countedSendCommand(command, stream) {
    counts[command.name] = (counts[command.name] ?? 0) + 1
    return send.call(this, command, stream)
  }
  try {
    await work()
  } finally {
    client.sendCommand = send
  }
  return counts
}

/** Calls by command from INFO commandstats, leaving out the ones this measurement sends. */
function parseCommandStats(info) {
  const counts = {}
  for (const [, name, calls] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
    if (!['info', 'config|resetstat'].includes(name)) counts[name] = Number(calls)
  return counts
}
