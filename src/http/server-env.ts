/**
 * What the server under a fetch-style framework (Hono on @hono/node-server, Bun, Deno) hands each
 * request as its environment: the socket peer and, on Node, Node's own response. Framework-free.
 */
export interface ServerEnv {
  /** @hono/node-server: Node's request. */
  readonly incoming?: { readonly socket?: { readonly remoteAddress?: string } }
  /** @hono/node-server: Node's response. */
  readonly outgoing?: NodeResponse
  /** Bun: the server's `requestIP`. */
  readonly requestIP?: (request: Request) => { address: string } | null
  /** Deno: the connection info's `remoteAddr`. */
  readonly remoteAddr?: { readonly hostname?: string }
}

/** The part of Node's `ServerResponse` the adapters write headers to. */
export interface NodeResponse {
  setHeader(name: string, value: string): unknown
  readonly headersSent: boolean
  /** True once the response closed: before it was sent, that means the client went away. */
  readonly destroyed?: boolean
}

/** The socket peer: @hono/node-server's `env.incoming`, Bun's `server.requestIP()` or Deno's `info.remoteAddr`. */
export function peerAddressIn(env: ServerEnv | undefined, request: Request): string | undefined {
  return env?.incoming?.socket?.remoteAddress ?? env?.requestIP?.(request)?.address ?? env?.remoteAddr?.hostname
}

/**
 * On @hono/node-server, Node's response for this request (`env.outgoing`). Whether its headers were
 * sent meanwhile is the caller's to ask, before it decides anything more.
 */
export function nodeResponseIn(env: ServerEnv | undefined): NodeResponse | undefined {
  const outgoing = env?.outgoing
  return typeof outgoing?.setHeader === 'function' ? outgoing : undefined
}
