// express-rate-limit's validation checks on requests, under its codes: what the default key reads,
// what a store of its interface answers, and a request counted twice for one key.
import { isIP } from 'node:net'
import type { Request } from 'express'
import type { HitCount } from '../shared/peer-store.js'
import type { Options } from './types.js'
import { ValidationError, type Validations } from './validations.js'

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
