// Vitest global setup: a fresh build for the tests that load the package by name, and the test's
// own redis-server processes (a standalone server and a 3-master Cluster), stopped by PID after.
import { execFileSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { killAllSync, startRedisCluster, startRedisServer } from '../helpers/redis-server.js'

declare module 'vitest' {
  export interface ProvidedContext {
    redis: { standalonePort: number; clusterPorts: number[] }
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  buildIfStale()
  process.once('exit', killAllSync)
  const standalone = await startRedisServer()
  const cluster = await startRedisCluster(3).catch(async (error: unknown) => {
    await standalone.destroy()
    throw error
  })
  project.provide('redis', { standalonePort: standalone.port, clusterPorts: cluster.nodes.map((node) => node.port) })
  return async function stopRedisServers() {
    await Promise.all([standalone.destroy(), cluster.destroy()])
  }
}

/** Rebuilds dist/ when src/, adapters/ or lua/ changed after it, so `npx vitest` alone tests current code. */
function buildIfStale(): void {
  const builtMs = modifiedMs('dist')
  const sources = ['src', 'adapters', 'lua', 'tsdown.config.ts']
  if (builtMs > Math.max(...sources.map(modifiedMs))) return
  execFileSync(join('node_modules', '.bin', 'tsdown'), ['--log-level', 'warn'], { stdio: 'inherit' })
}

/** Latest modification time under `path` (0 when it does not exist). */
function modifiedMs(path: string): number {
  try {
    const stats = statSync(path)
    if (!stats.isDirectory()) return stats.mtimeMs
    return Math.max(0, ...readdirSync(path).map((entry) => modifiedMs(join(path, entry))))
  } catch {
    return 0
  }
}
