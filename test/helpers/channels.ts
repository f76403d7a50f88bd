import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel'
import { inspect } from 'node:util'
import { onTestFinished } from 'vitest'
import { channelNames } from '../../src/index.js'

/** One message, and the channel it came on: `decision`, `storeError`, `breaker`, `blockCache`, or `store:<event>`. */
export interface Published {
  readonly channel: string
  // biome-ignore lint/suspicious/noExplicitAny: each test reads the fields of the channel it asserts on
  readonly message: any
}

const PLAIN = ['decision', 'storeError', 'breaker', 'blockCache'] as const

/** Records every message on every channel of the package, in order, until the current test ends. */
export function recordChannels(): Published[] {
  const published: Published[] = []
  const plain = PLAIN.map((name) => {
    const onMessage = (message: unknown) => published.push({ channel: name, message })
    subscribe(channelNames[name], onMessage)
    return () => unsubscribe(channelNames[name], onMessage)
  })
  const storeCalls = tracingChannel(channelNames.store)
  const record = (event: string) => (message: unknown) => {
    published.push({ channel: `store:${event}`, message })
  }
  const handlers = {
    start: record('start'),
    end: record('end'),
    asyncStart: record('asyncStart'),
    asyncEnd: record('asyncEnd'),
    error: record('error'),
  }
  storeCalls.subscribe(handlers)
  onTestFinished(() => {
    for (const stop of plain) stop()
    storeCalls.unsubscribe(handlers)
  })
  return published
}

/** The messages of one channel. */
export function on(published: readonly Published[], channel: string): Published['message'][] {
  return published.filter((entry) => entry.channel === channel).map((entry) => entry.message)
}

/**
 * Whether `secret` appears anywhere in `value` as a subscriber could print or serialize it: every
 * property, hidden ones (an error's message and stack) included, at any depth, and its JSON.
 */
export function exposes(value: unknown, secret: string): boolean {
  const printed = inspect(value, {
    depth: null,
    showHidden: true,
    maxArrayLength: null,
    maxStringLength: null,
    breakLength: Number.POSITIVE_INFINITY,
  })
  return printed.includes(secret) || (JSON.stringify(value) ?? '').includes(secret)
}
