// Vitest global setup: the tests' own redis-server processes (a standalone server and a 3-master
// Cluster), stopped by PID after.
import type { TestProject } from 'vitest/node'
import { killAllSync, startRedisCluster, startRedisServer } from '../helpers/redis-server.js'

declare module 'vitest' {
  export interface ProvidedContext {
    redis: { standalonePort: number; clusterPorts: number[] }
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
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
