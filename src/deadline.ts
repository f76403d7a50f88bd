import { StoreTimeoutError } from './errors.js'

/**
 * Settles like `promise`, or rejects with a StoreTimeoutError after `timeoutMs`. A late settlement
 * of `promise` is absorbed here, so it can never surface as an unhandled rejection.
 */
export function withDeadline<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new StoreTimeoutError(timeoutMs)), timeoutMs)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}
