// The conditions of express-rate-limit's validation checks, under its codes: at setup, on the options;
// on a request, on what the default key reads and what a store of its interface answers.
import { isIP } from 'node:net'
import type { Request } from 'express'
import type { HitCount } from '../shared/peer-store.js'
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

/** The checks of the default key: the request IP and the app's proxy setting. */
export function checkClientIp(request: Request, validations: Validations): void {
  const { ip } = request
  validations.run('ip', () => {
    if (ip === undefined)
      return new ValidationError(
        'ERR_ERL_UNDEFINED_IP_ADDRESS',
        '`request.ip` is undefined: the connection may have closed.',
      )
    if (isIP(ip) === 0)
      return new ValidationError(
        'ERR_ERL_INVALID_IP_ADDRESS',
        `\`request.ip\` (${ip}) is no IP address: pass a \`keyGenerator\`.`,
      )
    return undefined
  })
  const trustProxy: unknown = request.app?.get('trust proxy')
  validations.run('trustProxy', () =>
    trustProxy === true
      ? new ValidationError(
          'ERR_ERL_PERMISSIVE_TRUST_PROXY',
          '`trust proxy` is true: any client can choose its IP, and so its key.',
        )
      : undefined,
  )
  validations.run('xForwardedForHeader', () =>
    request.headers['x-forwarded-for'] && trustProxy === false
      ? new ValidationError(
          'ERR_ERL_UNEXPECTED_X_FORWARDED_FOR',
          "X-Forwarded-For arrived while `trust proxy` is false: behind a proxy, every client counts as the proxy. Set `app.set('trust proxy', 1)` for one.",
        )
      : undefined,
  )
  validations.run('forwardedHeader', () =>
    request.headers.forwarded && ip === request.socket?.remoteAddress
      ? new ValidationError(
          'ERR_ERL_FORWARDED_HEADER',
          'The Forwarded header is not read by Express: use a `keyGenerator` to key by it.',
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

/** The checks of a count a store of express-rate-limit's interface answered. */
export function checkCount(
  count: HitCount,
  standardHeaders: Options['standardHeaders'],
  validations: Validations,
): void {
  const { totalHits, resetTime } = count
  validations.run('positiveHits', () =>
    Number.isSafeInteger(totalHits) && totalHits >= 1
      ? undefined
      : new ValidationError(
          'ERR_ERL_INVALID_HITS',
          `The store's \`totalHits\` should be a positive integer, got ${totalHits}.`,
        ),
  )
  if (standardHeaders === 'draft-7' || standardHeaders === 'draft-8')
    validations.run('headersResetTime', () =>
      resetTime
        ? undefined
        : new ValidationError(
            'ERR_ERL_HEADERS_NO_RESET',
            `The store gives no \`resetTime\`, which ${standardHeaders} needs: \`windowMs\` stands for it.`,
          ),
    )
}

/** Keys each store counted for a request, to find one counted twice (`ERR_ERL_DOUBLE_COUNT`). */
const countedKeys = new WeakMap<object, Map<unknown, string[]>>()

/** The check that a request is counted once per store and key: `store` is what keys are counted in. */
export function checkSingleCount(request: object, store: unknown, key: string, validations: Validations): void {
  validations.run('singleCount', () => {
    const byStore = countedKeys.get(request) ?? new Map<unknown, string[]>()
    countedKeys.set(request, byStore)
    const keys = byStore.get(store) ?? []
    byStore.set(store, keys)
    if (!keys.includes(key)) {
      keys.push(key)
      return undefined
    }
    return new ValidationError('ERR_ERL_DOUBLE_COUNT', `The hits of ${key} were counted twice for one request.`)
  })
}
