import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel'
import { channelNames } from '../diagnostics/channels.js'
import type { StoreCallMessage } from '../diagnostics/messages.js'

/** Subscribes to one of the plain channels; returns what unsubscribes. */
export function listen<Message>(name: string, onMessage: (message: Message) => void): () => void {
  const handler = (message: unknown): void => onMessage(message as Message)
  subscribe(name, handler)
  return () => {
    unsubscribe(name, handler)
  }
}

/**
 * Subscribes to the store calls: `started` on each call's start, `finished` once it has succeeded
 * or failed (on `asyncEnd`, or on `end` for a call that threw before it had a promise to await).
 * Returns what unsubscribes.
 */
export function listenToStoreCalls(
  started: (call: StoreCallMessage) => void,
  finished: (call: StoreCallMessage) => void,
): () => void {
  const storeCalls = tracingChannel<unknown, StoreCallMessage>(channelNames.store)
  const handlers = {
    start: started,
    end: (call: StoreCallMessage) => {
      if (call.error !== undefined) finished(call)
    },
    asyncStart: ignore,
    asyncEnd: finished,
    error: ignore,
  }
  storeCalls.subscribe(handlers)
  return () => {
    storeCalls.unsubscribe(handlers)
  }
}

function ignore(): void {}

/** The attributes every metric and span of a store call carries. */
export function storeCallAttributes({ prefix, operation, store }: StoreCallMessage): Record<string, string> {
  return { 'ratelimit.prefix': prefix, 'ratelimit.operation': operation, 'ratelimit.store': store }
}
