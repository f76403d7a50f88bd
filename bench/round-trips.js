// What one decision asks of Redis: the commands the client sent (each a request and its reply,
// which is what a round trip is) and the commands Redis ran for them (INFO commandstats, which
// also counts the commands a script runs inside Redis); and what it costs in CPU on each side.
import { ceiling } from './contenders/bare-script.js'
import { keyModes } from './keys.js'

/** Decisions in flight: enough for coalescing to group some. */
const IN_FLIGHT = 64

/**
 * Resolves to one row per contender: sent and run commands per decision, by name; the µs of Redis
 * CPU the sent commands took (commandstats `usec`, scripts included) and of this process's CPU.
 */
export async function measureRoundTrips({ client, contenders, decisions }) {
  const rows = []
  let runs = 0
  for (const contender of [ceiling, ...contenders]) {
    const decide = await contender.open({ client, prefix: `trips${++runs}`, defer: () => {} })
    // Scripts load, clients define their commands and the JIT warms up on the first decisions:
    // as many again, first one at a time, then in flight, not counted.
    for (let warmup = 0; warmup < 10; warmup++) await decide(keyModes.random())
    await decideMany(decide, decisions)
    await client.config('RESETSTAT')
    const cpuBefore = process.cpuUsage()
    const sent = await countingSentCommands(client, () => decideMany(decide, decisions))
    const { user, system } = process.cpuUsage(cpuBefore)
    const { calls, usec } = parseCommandStats(await client.info('commandstats'))
    const perDecision = (counts) =>
      Object.fromEntries(Object.entries(counts).map(([name, count]) => [name, count / decisions]))
    const redisUsec = Object.keys(sent).reduce((sum, name) => sum + (usec[name.toLowerCase()] ?? 0), 0)
    rows.push({
      id: contender.id,
      side: contender.side,
      decisions,
      sent: perDecision(sent),
      ran: perDecision(calls),
      redisMicros: redisUsec / decisions,
      clientMicros: (user + system) / decisions,
    })
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

/** Calls and µs by command from INFO commandstats, leaving out the ones this measurement sends. */
function parseCommandStats(info) {
  const calls = {}
  const usec = {}
  for (const [, name, count, micros] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    if (['info', 'config|resetstat'].includes(name)) continue
    calls[name] = Number(count)
    usec[name] = Number(micros)
  }
  return { calls, usec }
}
