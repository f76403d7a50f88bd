import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtempSync, openSync, rmSync } from 'node:fs'
import { createServer, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

/** A redis-server process started by the tests, on a loopback port, with persistence off. */
export interface RedisServer {
  readonly port: number
  /** PID of the running process (undefined while stopped). */
  readonly pid: number | undefined
  /** Stops this process (SIGTERM, then SIGKILL after 3 s); the port and data dir are kept. */
  stop(): Promise<void>
  /** Kills this process at once (SIGKILL), as a crash would; the port and data dir are kept. */
  kill(): Promise<void>
  /** Freezes (SIGSTOP) or thaws (SIGCONT) the process: a hung server keeps its connections open. */
  freeze(frozen: boolean): void
  /** Starts the process again on the same port and data dir. */
  start(): Promise<void>
  /** Stops the process and removes its data dir. */
  destroy(): Promise<void>
}

/** Ports below the Linux ephemeral range (32768+), which outgoing connections take their ports from. */
const PORT_RANGE = { lowest: 20_000, highest: 32_000 }

/**
 * A free loopback port below the ephemeral range. Inside it, a client reconnecting to a stopped
 * server can be given the server's own port as its source and connect to itself, taking the port
 * the restarted server needs.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = PORT_RANGE.lowest + Math.floor(Math.random() * (PORT_RANGE.highest - PORT_RANGE.lowest))
    if (await canListen(port)) return port
  }
  throw new Error(`no free loopback port between ${PORT_RANGE.lowest} and ${PORT_RANGE.highest}`)
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.unref()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

/** Starts redis-server from PATH on a free loopback port; `args` are extra config directives. */
export async function startRedisServer(args: readonly string[] = []): Promise<RedisServer> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), `atomic-ratelimit-redis-${port}-`))
  let child: ChildProcess | undefined
  const server: RedisServer = {
    port,
    get pid() {
      return child?.pid
    },
    async start() {
      const log = openSync(join(dir, 'redis.log'), 'a')
      const config = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
      child = spawn('redis-server', [...config, '--dir', dir, ...args], { stdio: ['ignore', log, log] })
      liveProcesses.add(child)
      child.once('exit', () => liveProcesses.delete(child as ChildProcess))
      await waitForPong(port, child, dir)
    },
    async stop() {
      if (child) await stopProcess(child)
      child = undefined
    },
    async kill() {
      if (child) await stopProcess(child, 'SIGKILL')
      child = undefined
    },
    freeze(frozen) {
      child?.kill(frozen ? 'SIGSTOP' : 'SIGCONT')
    },
    async destroy() {
      await server.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  await server.start()
  return server
}

/** A Redis Cluster of freshly started servers, slots spread over the masters. */
export interface RedisCluster {
  readonly nodes: readonly RedisServer[]
  destroy(): Promise<void>
}

/**
 * Starts `masters` (+ `replicasPerMaster` each) servers, with `args` as extra config directives, and
 * joins them with `redis-cli --cluster create`.
 */
export async function startRedisCluster(
  masters = 3,
  replicasPerMaster = 0,
  args: readonly string[] = [],
): Promise<RedisCluster> {
  const nodes: RedisServer[] = []
  const destroy = async () => {
    await Promise.all(nodes.map((node) => node.destroy()))
  }
  try {
    for (let index = 0; index < masters * (1 + replicasPerMaster); index++) {
      const busPort = await freePort()
      const clusterConfig = [
        '--cluster-enabled',
        'yes',
        '--cluster-port',
        String(busPort),
        '--repl-diskless-sync-delay',
        '0',
      ]
      nodes.push(await startRedisServer([...clusterConfig, ...args]))
    }
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`)
    await execFileAsync('redis-cli', [
      '--cluster',
      'create',
      ...addresses,
      '--cluster-replicas',
      String(replicasPerMaster),
      '--cluster-yes',
    ])
    for (const node of nodes) await waitForClusterOk(node.port)
    // A replica that never synced cannot take over: wait until every replica is linked.
    for (const node of nodes) await waitForReplicaLink(node.port)
    return { nodes, destroy }
  } catch (error) {
    await destroy()
    throw error
  }
}

const liveProcesses = new Set<ChildProcess>()

/** Kills, synchronously, every server this process started and did not stop: for exit handlers. */
export function killAllSync(): void {
  for (const child of liveProcesses) child.kill('SIGKILL')
}

/** Sends one inline command to a server and returns its raw reply. */
export function rawCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new Socket()
    let reply = ''
    socket.setTimeout(1_000, () => socket.destroy(new Error(`no reply from port ${port}`)))
    socket.once('error', reject)
    socket.connect(port, '127.0.0.1', () => socket.write(`${command}\r\n`))
    socket.on('data', (chunk) => {
      reply += chunk.toString()
      if (reply.endsWith('\r\n')) {
        socket.end()
        resolve(reply)
      }
    })
  })
}

async function waitForPong(port: number, child: ChildProcess, dir: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited; see ${dir}/redis.log`)
    const reply = await rawCommand(port, 'PING').catch(() => '')
    if (reply.startsWith('+PONG')) return
    await sleep(25)
  }
  throw new Error(`redis-server on port ${port} did not answer PING within 5 s`)
}

async function waitForClusterOk(port: number): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const { stdout } = await execFileAsync('redis-cli', ['-p', String(port), 'cluster', 'info'])
    if (stdout.includes('cluster_state:ok')) return
    await sleep(25)
  }
  throw new Error(`cluster node on port ${port} did not reach cluster_state:ok within 10 s`)
}

async function waitForReplicaLink(port: number): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const { stdout } = await execFileAsync('redis-cli', ['-p', String(port), 'INFO', 'replication'])
    if (stdout.includes('role:master') || stdout.includes('master_link_status:up')) return
    await sleep(25)
  }
  throw new Error(`replica on port ${port} did not link to its master within 10 s`)
}

async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || (child.signalCode !== null && child.signalCode !== 'SIGSTOP')) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGCONT') // a frozen server must run to handle its signal
  child.kill(signal)
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000)
  await exited
  clearTimeout(timer)
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
