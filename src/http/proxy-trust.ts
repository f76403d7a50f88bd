// Whether a framework's proxy setting, whatever form it takes (addresses, subnets, a function),
// believes every hop: then any client picks its own key by writing X-Forwarded-For, exactly as
// with `trust proxy` set to true, and the operator should hear so.

/**
 * Chains of public addresses, the socket peer first and the client last: one spread over the
 * IPv4 space (both halves, every /2), one over IPv6's global unicast 2000::/3.
 */
const PUBLIC_CHAINS: readonly (readonly string[])[] = [
  ['8.8.8.8', '77.88.8.8', '104.16.0.1', '151.101.1.1', '185.199.108.153', '208.67.222.222'],
  ['2001:4860:4860::8888', '2400:cb00::1', '2606:4700::1111', '2a00:1450::1', '2c0f:fb50::1', '2800:3f0::1'],
]

/** What was found for each setting probed. */
const verdicts = new WeakMap<object, boolean>()

/**
 * Whether a proxy setting trusts every hop of every IPv4 client or of every IPv6 client (for
 * example Express's `0.0.0.0/1,128.0.0.0/1`, `0.0.0.0/0`, `::/0`, or a function that says yes to
 * all). `believes(chain)` answers whether the framework, for a request from `chain[0]` whose
 * X-Forwarded-For lists the rest from the right, takes the chain's last address as the client.
 * Probed once per `setting` (an object that stands for it: a compiled trust function, a request
 * prototype), then remembered.
 *
 * @example
 * ```ts
 * const trusts = app.get('trust proxy fn')
 * trustsEveryHop(trusts, (chain) => chain.slice(0, -1).every((address, hop) => trusts(address, hop)))
 * ```
 */
export function trustsEveryHop(setting: object, believes: (chain: readonly string[]) => boolean): boolean {
  let verdict = verdicts.get(setting)
  // Stryker disable next-line ConditionalExpression: a cache: asked again, the setting gives the same verdict
  if (verdict === undefined) {
    verdict = PUBLIC_CHAINS.some(believes)
    verdicts.set(setting, verdict)
  }
  return verdict
}
