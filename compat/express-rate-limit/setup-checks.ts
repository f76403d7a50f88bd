// express-rate-limit's validation checks at setup, under its codes: on the options, the store, a
// limit of 0 and an ipv6Subnet.
import type { Options } from './types.js'
import { ChangeWarning, ValidationError, type Validations } from './validations.js'

/** Every option express-rate-limit knows, and the ones it has more specific checks or no warning for. */
const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'windowMs',
  'limit',
  'message',
  'statusCode',
  'legacyHeaders',
  'standardHeaders',
  'identifier',
  'retryAfter',
  'requestPropertyName',
  'skipFailedRequests',
  'skipSuccessfulRequests',
  'keyGenerator',
  'ipv6Subnet',
  'handler',
  'skip',
  'requestWasSuccessful',
  'store',
  'validate',
  'headers',
  'max',
  'passOnStoreError',
  'logger',
  'draft_polli_ratelimit_headers',
  // express-slow-down's, passed through to this middleware by it.
  'delayAfter',
  'delayMs',
  'maxDelayMs',
])

const DRAFTS: readonly unknown[] = ['draft-6', 'draft-7', 'draft-8']

/** Stores given to an earlier middleware: one store per middleware. */
const usedStores = new WeakSet<object>()

type Given = Partial<Options> & Record<string, unknown>

/** The checks express-rate-limit runs on its options when the middleware is made. */
export function checkOptions(given: Given, validations: Validations): void {
  validations.checkConfig()
  validations.run('knownOptions', () => {
    const unknown = Object.keys(given).find((name) => !KNOWN_OPTIONS.has(name))
    return unknown === undefined
      ? undefined
      : new ValidationError('ERR_ERL_UNKNOWN_OPTION', `Unknown option \`${unknown}\`.`)
  })
  validations.run('draftPolliHeaders', () =>
    given.draft_polli_ratelimit_headers
      ? new ChangeWarning(
          'WRN_ERL_DEPRECATED_DRAFT_POLLI_HEADERS',
          "`draft_polli_ratelimit_headers` was removed in express-rate-limit 7: set `standardHeaders: 'draft-6'`.",
        )
      : undefined,
  )
  validations.run('onLimitReached', () =>
    given.onLimitReached
      ? new ChangeWarning(
          'WRN_ERL_DEPRECATED_ON_LIMIT_REACHED',
          '`onLimitReached` was removed in express-rate-limit 7 and is never called: check `used` in a `handler`.',
        )
      : undefined,
  )
  const { ipv6Subnet, keyGenerator, standardHeaders } = given
  if (ipv6Subnet !== undefined && typeof ipv6Subnet !== 'function')
    validations.run('ipv6Subnet', () => subnetFinding(ipv6Subnet))
  validations.run('keyGeneratorIpFallback', () => {
    const source = typeof keyGenerator === 'function' ? String(keyGenerator) : ''
    if (!/\b(req|request)\.ip\b/.test(source) || source.includes('ipKeyGenerator')) return undefined
    return new ValidationError(
      'ERR_ERL_KEY_GEN_IPV6',
      'The `keyGenerator` reads the request IP without `ipKeyGenerator`: each IPv6 address of one client would count apart.',
    )
  })
  validations.run('ipv6SubnetOrKeyGenerator', () =>
    ipv6Subnet !== undefined && keyGenerator
      ? new ValidationError('ERR_ERL_IPV6SUBNET_OR_KEYGENERATOR', '`ipv6Subnet` is unused with a `keyGenerator`.')
      : undefined,
  )
  if (typeof standardHeaders === 'string')
    validations.run('headersDraftVersion', () =>
      DRAFTS.includes(standardHeaders)
        ? undefined
        : new ValidationError(
            'ERR_ERL_HEADERS_UNSUPPORTED_DRAFT_VERSION',
            `\`standardHeaders\` names no supported draft (${DRAFTS.join(', ')}): no standard headers are sent.`,
          ),
    )
}

/** The checks on the store: one per middleware, and a middleware made while answering a request. */
export function checkStore(store: object, validations: Validations): void {
  validations.run('creationStack', () => {
    const stack = new Error('creationStack').stack ?? ''
    if (!stack.includes('Layer.handle [as handle_request]') && !stack.includes('Layer.handleRequest')) return undefined
    return new ValidationError(
      'ERR_ERL_CREATED_IN_REQUEST_HANDLER',
      'The middleware was made while answering a request: make it once, when the app starts, or its counts start anew each time.',
    )
  })
  validations.run('unsharedStore', () => {
    if (!usedStores.has(store)) {
      usedStores.add(store)
      return undefined
    }
    return new ValidationError(
      'ERR_ERL_STORE_REUSE',
      'A store is given to more than one middleware: give each its own, or they count the same hits twice.',
    )
  })
}

/** A `limit` of 0, which refuses every request (it disabled the middleware before express-rate-limit 7). */
export function checkLimit(limit: number, validations: Validations): void {
  validations.run('limit', () =>
    limit === 0
      ? new ChangeWarning(
          'WRN_ERL_MAX_ZERO',
          '`limit: 0` refuses every request; before express-rate-limit 7 it let all through.',
        )
      : undefined,
  )
}

/** The check of a subnet the default key groups IPv6 clients by. */
export function subnetFinding(ipv6Subnet: unknown): ValidationError | undefined {
  if (
    ipv6Subnet === false ||
    (Number.isInteger(ipv6Subnet) && (ipv6Subnet as number) >= 32 && (ipv6Subnet as number) <= 64)
  )
    return undefined
  return new ValidationError(
    'ERR_ERL_IPV6_SUBNET',
    `\`ipv6Subnet\` should be an integer from 32 to 64, got ${String(ipv6Subnet)}.`,
  )
}
