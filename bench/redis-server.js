// The benchmark's own redis-server: started from PATH on a free loopback port, persistence off, in a
// temporary directory, and stopped by its PID, so no other server on the machine is ever touched.
import { spawn } from 'node:child_process'
import { mkdtempSync, openSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'

/**
 * Below Linux's ephemeral range (32768+), which outgoing connections take their source ports from:
 * a port there could be taken by one of our own client sockets.
 */
const LOWEST_PORT = 20_000
const HIGHEST_PORT = 32_000

/** Starts a server; resolves to `{ port, pid, version, stop() }` once it answers PING. */
export async function startRedisServer() {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), `atomic-ratelimit-bench-redis-${port}-`))
  const log = openSync(join(dir, 'redis.log'), 'a')
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir]
  const child = spawn('redis-server', args, { stdio: ['ignore', log, log] })
  const spawned = new Promise((resolve, reject) => {
    child.once('spawn', resolve)
    child.once('error', reject)
  })
  // Should the benchmark die without reaching its `finally`, the server must not outlive it.
  const killOnExit = () => {
    child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
  process.once('exit', killOnExit)

  const stop = async () => {
    process.removeListener('exit', killOnExit)
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000)
      await exited
      clearTimeout(timer)
    }
    rmSync(dir, { recursive: true, force: true })
  }

  try {
    await spawned
    const version = await waitForPing(port, child, dir)
    return { port, pid: child.pid, version, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

async function freePort() {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = LOWEST_PORT + Math.floor(Math.random() * (HIGHEST_PORT - LOWEST_PORT))
    if (await canListen(port)) return port
  }
  throw new Error(`no free loopback port between ${LOWEST_PORT} and ${HIGHEST_PORT}`)
}

function canListen(port) {
  return new Promise((resolve) => {
    const probe = createServer()
    probe.once('error', () => resolve(false))
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)))
  })
}

/** Resolves to the server's version once it answers; gives up after 5 s or if the process exits. */
async function waitForPing(port, child, dir) {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null })
  client.on('error', () => {})
  try {
    for (let attempt = 0; attempt < 200; attempt++) {
      if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited; see ${dir}/redis.log`)
      try {
        if (client.status === 'wait' || client.status === 'end') await client.connect()
        const info = await client.info('server')
        return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown'
      } catch {
        await sleep(25)
      }
    }
    throw new Error(`redis-server on port ${port} did not answer within 5 s`)
  } finally {
    client.disconnect()
  }
}
