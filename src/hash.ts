import { createHash } from 'node:crypto'

/** SHA-256 of `text` in base64url: 43 characters, none of them `{`, `}` or `:`. */
export function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url')
}
