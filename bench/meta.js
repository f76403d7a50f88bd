// What a reader needs to reproduce a run: the command, the date, the versions and the machine.
import { readFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { RANDOM_KEY_COUNT } from './keys.js'
import { HTTP_CONNECTIONS } from './settings.js'

/** The installed version of a dependency (read from disk: not every package exports its manifest). */
const versionOf = (name) =>
  JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version

/** The run's description for BENCHMARKS.md. */
export function runMeta({ plan, redisVersion }) {
  const cores = cpus()
  return {
    command: plan.command,
    date: new Date().toISOString().slice(0, 10),
    node: process.versions.node,
    redis: redisVersion,
    ioredis: versionOf('ioredis'),
    express: versionOf('express'),
    koa: versionOf('koa'),
    hono: versionOf('hono'),
    machine: `${cores.length} shared cores (${cores[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GB, ${process.platform}`,
    rounds: plan.rounds,
    decisionSeconds: plan.decisionMs / 1000,
    httpSeconds: plan.httpSeconds,
    connections: HTTP_CONNECTIONS,
    randomKeys: RANDOM_KEY_COUNT,
  }
}
