import { RateLimitOptionsError } from '../errors.js'
import { describe } from '../validate.js'
import { addressKey } from './client-ip.js'
import type { AccessList, Awaitable } from './options.js'

/** A checked allow or deny list: whether a request, with its key, is on it. */
export type ListCheck<Req> = (request: Req, key: string) => Awaitable<boolean>

/**
 * Checks an `allowList` or `denyList` and makes its check. A list of keys is held as a set, each IP
 * address in it as the default key makes it (`::ffff:1.2.3.4` as `1.2.3.4`, IPv6 by its network of
 * `ipv6Subnet` bits), so a listed address matches however the client's is written; other entries
 * (user ids, API keys) are compared as they are. A function is the check itself.
 *
 * @example
 * ```ts
 * const allowed = readAccessList(['::ffff:10.0.0.7', 'ops-team'], 'allowList', 56)
 * allowed?.(request, '10.0.0.7') // true
 * ```
 */
export function readAccessList<Req>(
  value: AccessList<Req> | undefined,
  option: string,
  ipv6Subnet: number,
): ListCheck<Req> | undefined {
  if (value === undefined || typeof value === 'function') return value
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string' && entry.length > 0))
    throw new RateLimitOptionsError(
      `Expected \`${option}\` to be an array of non-empty strings or a function, got ${describe(value)}`,
    )
  const keys = new Set(value.map((entry: string) => addressKey(entry, ipv6Subnet) ?? entry))
  return function isListed(_request, key) {
    return keys.has(key)
  }
}
