import { isScriptError, StoreTimeoutError, StoreUnavailableError } from '../errors.js'

/** A store failure as observers see it. */
export interface ShownFailure {
  readonly error: Error
  readonly errorType: string
}

/**
 * The store failure as observers may see it, with every occurrence of the client key replaced by
 * `stand`. Our own errors name no key and pass as they are. Any other is copied: its name, string
 * `code`, message and stack, scrubbed (a Lua error quotes the Redis key, which holds a short client
 * key as it is), and nothing else (ioredis attaches the command it sent, keys included).
 */
export function shownFailure(error: unknown, key: string, stand: string): ShownFailure {
  const scrub = (text: string): string => text.replaceAll(key, stand)
  const errorType = scrub(errorTypeOf(error))
  if (error instanceof StoreTimeoutError || error instanceof StoreUnavailableError) return { error, errorType }
  const source = error instanceof Error ? error : undefined
  const copy = new Error(scrub(source ? source.message : describeThrown(error)))
  copy.name = scrub(source?.name ?? 'Error')
  copy.stack = source?.stack === undefined ? `${copy.name}: ${copy.message}` : scrub(source.stack)
  const code = (source as { code?: unknown } | undefined)?.code
  if (typeof code === 'string') Object.assign(copy, { code: scrub(code) })
  return { error: copy, errorType }
}

/**
 * A low-cardinality kind of store failure: `timeout`, `unavailable`, `script` (the store answered
 * with a script error), else the error's string `code` or its `name`, or `_OTHER` for a thrown
 * non-error.
 */
function errorTypeOf(error: unknown): string {
  if (error instanceof StoreTimeoutError) return 'timeout'
  if (error instanceof StoreUnavailableError) return 'unavailable'
  if (!(error instanceof Error)) return '_OTHER'
  if (isScriptError(error)) return 'script'
  const { code } = error as { code?: unknown }
  return typeof code === 'string' ? code : error.name
}

/** Text for a thrown value that is not an Error; never throws, whatever was thrown. */
function describeThrown(thrown: unknown): string {
  try {
    return String(thrown)
  } catch {
    return typeof thrown
  }
}
