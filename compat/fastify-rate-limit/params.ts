import type { FastifyRequest } from 'fastify'
import { RateLimitOptionsError } from '../../src/index.js'
import { parseDuration } from '../shared/duration-text.js'
import type {
  CreateRateLimitOptions,
  HeaderToggles,
  RateLimitHook,
  RateLimitOptions,
  RateLimitPluginOptions,
  RequestKey,
} from './types.js'

/** @fastify/rate-limit's defaults. */
const DEFAULT_MAX = 1000
const DEFAULT_TIME_WINDOW_MS = 60_000
const DEFAULT_IPV6_SUBNET = 64

/** Names of the headers, by what they tell. */
export interface HeaderLabels {
  readonly limit: string
  readonly remaining: string
  readonly reset: string
  readonly retryAfter: string
}

const LABELS: HeaderLabels = {
  limit: 'x-ratelimit-limit',
  remaining: 'x-ratelimit-remaining',
  reset: 'x-ratelimit-reset',
  retryAfter: 'retry-after',
}

/** `enableDraftSpec`'s names: draft-ietf-httpapi-ratelimit-headers' older fields. */
const DRAFT_LABELS: HeaderLabels = {
  limit: 'ratelimit-limit',
  remaining: 'ratelimit-remaining',
  reset: 'ratelimit-reset',
  retryAfter: 'retry-after',
}

type Callback = ((request: FastifyRequest, key: RequestKey) => unknown) | undefined

/** A limiter's options (the plugin's, or a route's over them), read as @fastify/rate-limit reads them. */
export interface PeerParams {
  readonly global: boolean
  readonly max: NonNullable<CreateRateLimitOptions['max']>
  /** Milliseconds, or a function of the request and key. */
  readonly timeWindow: number | ((request: FastifyRequest, key: RequestKey) => number | Promise<number>)
  readonly hook: RateLimitHook
  readonly cache: number | undefined
  readonly allowList: CreateRateLimitOptions['allowList']
  /** Refusals answered 429 before a ban; -1 for no ban. */
  readonly ban: number
  readonly onBanReach: Callback
  readonly onExceeding: Callback
  readonly onExceeded: Callback
  readonly continueExceeding: boolean
  readonly exponentialBackoff: boolean
  readonly ipv6Subnet: number
  readonly keyGenerator: CreateRateLimitOptions['keyGenerator']
  readonly errorResponseBuilder: RateLimitOptions['errorResponseBuilder']
  readonly skipOnError: boolean
  readonly groupId: string | undefined
  readonly labels: HeaderLabels
  /** Headers of a refusal, on or off by name. */
  readonly addHeaders: HeaderToggles
  /** Headers of a request let through, on or off by name. */
  readonly addHeadersOnExceeding: HeaderToggles
  readonly nameSpace: string
}

/**
 * The plugin's options with @fastify/rate-limit's defaults: a `max`, `timeWindow`, `ban` or
 * `ipv6Subnet` that is no valid number takes the default, as the peer's does; a `timeWindow` text
 * that is no duration is refused here (the peer would fail on every request).
 */
export function readPluginParams(settings: RateLimitPluginOptions): PeerParams {
  if (typeof settings !== 'object' || settings === null)
    throw new RateLimitOptionsError('Expected the @fastify/rate-limit options to be an object')
  const labels = settings.enableDraftSpec === true ? DRAFT_LABELS : LABELS
  const base = {
    global: typeof settings.global === 'boolean' ? settings.global : true,
    hook: settings.hook ?? 'onRequest',
    cache: settings.cache,
    allowList: settings.allowList,
    onBanReach: functionOrNone(settings.onBanReach),
    onExceeding: functionOrNone(settings.onExceeding),
    onExceeded: functionOrNone(settings.onExceeded),
    continueExceeding: settings.continueExceeding === true,
    exponentialBackoff: settings.exponentialBackoff === true,
    keyGenerator: functionOrNone(settings.keyGenerator),
    errorResponseBuilder: functionOrNone(settings.errorResponseBuilder),
    skipOnError: settings.skipOnError === true,
    groupId: undefined,
    labels,
    addHeaders: { ...allOn(labels, true), ...settings.addHeaders },
    addHeadersOnExceeding: { ...allOn(labels, false), ...settings.addHeadersOnExceeding },
    nameSpace: settings.nameSpace ?? 'fastify-rate-limit-',
  }
  const { max, timeWindow, ban, ipv6Subnet } = settings
  return withNumbers({ ...base, max, timeWindow, ban, ipv6Subnet })
}

/**
 * A route's (or a `rateLimit()`/`createRateLimit()` call's) options over the plugin's: what it sets
 * replaces the plugin's, and its numbers are read anew (an invalid one takes the default, not the
 * plugin's, as in @fastify/rate-limit). `groupId` must be text.
 */
export function mergeParams(plugin: PeerParams, own: RateLimitOptions): PeerParams {
  const given = Object.fromEntries(Object.entries(own).filter(([, value]) => value !== undefined)) as RateLimitOptions
  if (given.groupId !== undefined && typeof given.groupId !== 'string')
    throw new RateLimitOptionsError('groupId must be a string')
  const toggles = given as { addHeaders?: HeaderToggles; addHeadersOnExceeding?: HeaderToggles }
  return withNumbers({
    ...plugin,
    ...given,
    addHeaders: { ...plugin.addHeaders, ...toggles.addHeaders },
    addHeadersOnExceeding: { ...plugin.addHeadersOnExceeding, ...toggles.addHeadersOnExceeding },
  } as PeerParams & { max: unknown; timeWindow: unknown; ban: unknown })
}

function withNumbers(params: Omit<PeerParams, 'max' | 'timeWindow' | 'ban' | 'ipv6Subnet'> & RawNumbers): PeerParams {
  return {
    ...params,
    max: typeof params.max === 'function' ? params.max : (countOrNone(params.max) ?? DEFAULT_MAX),
    timeWindow: readTimeWindow(params.timeWindow),
    ban: countOrNone(params.ban) ?? -1,
    ipv6Subnet: readSubnet(params.ipv6Subnet),
  } as PeerParams
}

interface RawNumbers {
  readonly max: unknown
  readonly timeWindow: unknown
  readonly ban: unknown
  readonly ipv6Subnet?: unknown
}

function readTimeWindow(value: unknown): PeerParams['timeWindow'] {
  if (typeof value === 'function') return value as PeerParams['timeWindow']
  if (typeof value !== 'string') return countOrNone(value) ?? DEFAULT_TIME_WINDOW_MS
  const ms = parseDuration(value)
  if (ms === undefined || ms < 0)
    throw new RateLimitOptionsError(`Expected \`timeWindow\` to be ms or a duration such as '1 minute', got "${value}"`)
  return Math.round(ms)
}

/** A finite number from 0 up, truncated; undefined for anything else. */
function countOrNone(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.trunc(value) : undefined
}

function readSubnet(value: unknown): number {
  const bits = countOrNone(value)
  return bits !== undefined && bits <= 128 ? bits : DEFAULT_IPV6_SUBNET
}

function functionOrNone<F>(value: F | undefined): F | undefined {
  return typeof value === 'function' ? value : undefined
}

/** Every header of a refusal (with `retry-after`) or of a request let through (without) on. */
function allOn(labels: HeaderLabels, withRetryAfter: boolean): Record<string, boolean> {
  const on = { [labels.limit]: true, [labels.remaining]: true, [labels.reset]: true }
  return withRetryAfter ? { ...on, [labels.retryAfter]: true } : on
}
