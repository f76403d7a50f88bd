import type { Policy } from '../policy.js'
import type { Store } from '../store.js'

/** Stable codes of the misconfiguration warnings, each emitted at most once per process. */
export const WARNING_CODES = {
  forwardedForUntrusted: 'WARN_RATE_LIMIT_FORWARDED_FOR_UNTRUSTED',
  everyProxyTrusted: 'WARN_RATE_LIMIT_EVERY_PROXY_TRUSTED',
  noClientIp: 'WARN_RATE_LIMIT_NO_CLIENT_IP',
  sharedQuota: 'WARN_RATE_LIMIT_SHARED_QUOTA',
  noKey: 'WARN_RATE_LIMIT_NO_KEY',
} as const

export type WarningCode = (typeof WARNING_CODES)[keyof typeof WARNING_CODES]

const emitted = new Set<WarningCode>()

/**
 * Emits a process warning (`process.on('warning')`, type `RateLimitWarning`) with a stable `code`,
 * the first time only: misconfiguration shows up once in the logs instead of once per request.
 *
 * @example
 * ```ts
 * warnOnce(WARNING_CODES.noClientIp, 'No client IP address was found for a request, ...')
 * ```
 */
export function warnOnce(code: WarningCode, message: string): void {
  if (emitted.has(code)) return
  emitted.add(code)
  const emit = globalThis.process?.emitWarning
  if (typeof emit === 'function') emit.call(globalThis.process, message, { type: 'RateLimitWarning', code })
  else console.warn(`RateLimitWarning [${code}]: ${message}`)
}

/** The quotas each store holds for a limiter built by an adapter in this process: prefix, then policy name. */
const quotasByStore = new WeakMap<Store, Set<string>>()

/**
 * Records the quotas of a limiter an adapter built on a caller's store, and warns once when another
 * such limiter already uses one of them: the same store, prefix and policy name share quota, which
 * is how app instances share, but inside one process it is usually two routes meant to be apart.
 *
 * @example
 * ```ts
 * registerQuotas(store, limiter.prefix, limiter.policies)
 * ```
 */
export function registerQuotas(store: Store, prefix: string, policies: readonly Policy[]): void {
  const quotas = quotasByStore.get(store) ?? new Set<string>()
  quotasByStore.set(store, quotas)
  for (const { name } of policies) {
    const quota = `${prefix}\n${name}`
    if (quotas.has(quota))
      warnOnce(
        WARNING_CODES.sharedQuota,
        `Two rate limiters in this process share one quota (same store, prefix "${prefix}" and policy "${name}"), so ` +
          'their routes count against each other. Give each its own `prefix` unless the sharing is meant.',
      )
    quotas.add(quota)
  }
}
