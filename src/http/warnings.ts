import type { Policy } from '../policy.js'
import type { Store } from '../store.js'

/** Stable codes of the misconfiguration warnings, each emitted at most once per process. */
export const WARNING_CODES = {
  forwardedForUntrusted: 'WARN_RATE_LIMIT_FORWARDED_FOR_UNTRUSTED',
  everyProxyTrusted: 'WARN_RATE_LIMIT_EVERY_PROXY_TRUSTED',
  noClientIp: 'WARN_RATE_LIMIT_NO_CLIENT_IP',
  invalidClientIp: 'WARN_RATE_LIMIT_INVALID_CLIENT_IP',
  sharedQuota: 'WARN_RATE_LIMIT_SHARED_QUOTA',
  noKey: 'WARN_RATE_LIMIT_NO_KEY',
} as const

export type WarningCode = (typeof WARNING_CODES)[keyof typeof WARNING_CODES]

const emitted = new Set<WarningCode>()

/**
 * Emits a process warning (`process.on('warning')`, type `RateLimitWarning`) with a stable `code`,
 * the first time only: misconfiguration shows up once in the logs instead of once per request.
 * A message that costs something to build can come as a function, called the first time only.
 *
 * @example
 * ```ts
 * warnOnce(WARNING_CODES.noClientIp, 'No client IP address was found for a request, ...')
 * ```
 */
export function warnOnce(code: WarningCode, message: string | (() => string)): void {
  if (emitted.has(code)) return
  emitted.add(code)
  const text = typeof message === 'function' ? message() : message
  // Stryker disable next-line OptionalChaining: every runtime the suite runs on has a process
  const emit = globalThis.process?.emitWarning
  if (typeof emit === 'function') emit.call(globalThis.process, text, { type: 'RateLimitWarning', code })
  else console.warn(`RateLimitWarning [${code}]: ${text}`)
}

/** Per store, how many live limiters that adapters built on it use each quota (prefix, then policy name). */
const quotasByStore = new WeakMap<Store, Map<string, number>>()

/** What to give back when a limiter is collected: its quotas, on its store's map. */
interface HeldQuotas {
  readonly quotas: Map<string, number>
  readonly names: readonly string[]
}

/**
 * Limiters made per tenant or per request come and go: their quotas go with them. Counted, not
 * held by WeakRef: a WeakRef keeps its target alive to the end of the current job, so a burst of
 * limiters made in one job would all live until it ends.
 */
const forgetQuotas = new FinalizationRegistry<HeldQuotas>(({ quotas, names }) => {
  for (const name of names) {
    const users = (quotas.get(name) ?? 1) - 1
    if (users > 0) quotas.set(name, users)
    else quotas.delete(name)
  }
})

/**
 * Records the quotas of a limiter an adapter built on a caller's store, and warns once when another
 * live limiter already uses one of them: the same store, prefix and policy name share quota, which
 * is how app instances share, but inside one process it is usually two routes meant to be apart.
 * A limiter's record goes when the limiter (its policy list) is collected, so the records never
 * outnumber the live limiters.
 *
 * @example
 * ```ts
 * registerQuotas(store, limiter.prefix, limiter.policies)
 * ```
 */
export function registerQuotas(store: Store, prefix: string, policies: readonly Policy[]): void {
  const quotas = quotasByStore.get(store) ?? new Map<string, number>()
  quotasByStore.set(store, quotas)
  const names = policies.map(({ name }) => `${prefix}\n${name}`)
  for (const [index, quota] of names.entries()) {
    const users = quotas.get(quota) ?? 0
    if (users > 0)
      warnOnce(
        WARNING_CODES.sharedQuota,
        `Two rate limiters in this process share one quota (same store, prefix "${prefix}" and policy ` +
          `"${policies[index]?.name}"), so their routes count against each other. Give each its own \`prefix\` ` +
          'unless the sharing is meant.',
      )
    quotas.set(quota, users + 1)
  }
  forgetQuotas.register(policies, { quotas, names })
}
