// The in-memory contenders decide in a Node process of their own. In the benchmark's main process,
// our limiter would come to them with its code already compiled for the Redis runs (other stores,
// other result shapes), which cost it a third of its throughput on random keys and about a fifth on
// a hot key; the peers' memory stores share no code with their Redis paths and lose nothing. An app
// deciding in memory runs none of it.
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { cellsOf, measureCell } from './cells.js'
import { oursInMemory } from './contenders/ours.js'
import { peersInMemory } from './contenders/peers.js'
import { interleave } from './rounds.js'

/** Measures the memory cells in a child process; resolves to them, with their samples. */
export function measureInMemory({ plan, log }) {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    let cells
    child.send(plan)
    child.on('message', (message) => {
      if (message.log) log(message.log)
      else cells = message.cells
    })
    child.on('error', reject)
    child.on('exit', (code) =>
      cells ? resolve(cells) : reject(new Error(`the memory benchmark process exited with code ${code}`)),
    )
  })
}

async function runAsChild(plan) {
  const log = (line) => process.send({ log: line })
  const cells = cellsOf('memory', [oursInMemory, ...peersInMemory], plan.memoryConcurrencies, oursInMemory.id)
  const measured = await interleave({ rounds: plan.rounds, cells, measure: measureCell({ plan, log }), log })
  // An Error does not cross the channel: its message does.
  for (const { rows } of measured)
    for (const { samples } of rows)
      for (const sample of samples)
        if (sample.firstError) sample.firstError = String(sample.firstError.message ?? sample.firstError)
  process.send({ cells: measured }, () => process.disconnect())
}

if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) process.once('message', runAsChild)
