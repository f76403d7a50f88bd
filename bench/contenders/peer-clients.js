// The few lines that put a peer on our ioredis client, each as the peer documents it; shared by
// the decision runs and the HTTP apps.
import { RedisStore as ExpressRedisStore } from 'rate-limit-redis'

/** `{ [option]: prefix + separator }`, or nothing when `prefix` is undefined: the peer's default. */
export const prefixOption = (option, prefix, separator = '') => (prefix ? { [option]: `${prefix}${separator}` } : {})

/** The client seam hono-rate-limiter's RedisStore documents (Upstash-shaped), over ioredis. */
export function honoRedisClient(client) {
  return {
    scriptLoad: (script) => client.script('LOAD', script),
    evalsha: (sha1, keys, args) => client.evalsha(sha1, keys.length, ...keys, ...args),
    decr: (key) => client.decr(key),
    del: (key) => client.del(key),
  }
}

/** rate-limit-redis's documented ioredis wiring: every command through `call`. */
export function expressRedisStore(client, prefix) {
  const sendCommand = (command, ...args) => client.call(command, ...args)
  return new ExpressRedisStore({ sendCommand, ...prefixOption('prefix', prefix, ':') })
}

/** rate-limit-redis's documented node-redis wiring: every command through `sendCommand`. */
export function expressRedisStoreOnNodeRedis(nodeRedis, prefix) {
  const sendCommand = (...args) => nodeRedis.sendCommand(args)
  return new ExpressRedisStore({ sendCommand, ...prefixOption('prefix', prefix, ':') })
}
