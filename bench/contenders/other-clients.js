// The clients other than the benchmark's ioredis one that users run: each made once on first use,
// on the same server as that client, and closed by closeOtherClients (open connections would keep
// the process alive).
import { GlideClient, Logger } from '@valkey/valkey-glide'
import { Redis } from 'ioredis'
import { createClient } from 'redis'

let glide
let autoPipelined
let nodeRedis

/** One GLIDE client on the server `client` (ioredis) is connected to. */
export function glideBeside(client) {
  Logger.setLoggerConfig('error')
  // GLIDE's default request timeout (250 ms) is the limiter's: the deadline is the limiter's to keep.
  glide ??= GlideClient.createClient({
    addresses: [{ host: client.options.host, port: client.options.port }],
    requestTimeout: 30_000,
  })
  return glide
}

/** One ioredis client with `enableAutoPipelining` (a common setting). */
export function autoPipelinedBeside(client) {
  autoPipelined ??= new Redis({ host: client.options.host, port: client.options.port, enableAutoPipelining: true })
  return autoPipelined
}

/**
 * One node-redis (v5) client, with its defaults: it writes every command of one turn of the event
 * loop in one go, which a bare script's calls gain from most.
 */
export function nodeRedisBeside(client) {
  nodeRedis ??= createClient({ socket: { host: client.options.host, port: client.options.port } }).connect()
  return nodeRedis
}

/** Closes whichever of these clients were made. */
export async function closeOtherClients() {
  if (glide) (await glide).close()
  if (nodeRedis) (await nodeRedis).destroy()
  autoPipelined?.disconnect()
  glide = autoPipelined = nodeRedis = undefined
}
