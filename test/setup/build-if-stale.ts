// Vitest global setup: a fresh build for the tests that load the package by name (the packed
// tarball, the examples, the worker processes). Mutation runs leave it out: they test the sources.
import { execFileSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** Rebuilds dist/ when src/, adapters/, compat/ or lua/ changed after it, so `npx vitest` alone tests current code. */
export default function buildIfStale(): void {
  const builtMs = modifiedMs('dist')
  const sources = ['src', 'adapters', 'compat', 'lua', 'tsdown.config.ts']
  if (builtMs > Math.max(...sources.map(modifiedMs))) return
  execFileSync(join('node_modules', '.bin', 'tsdown'), ['--log-level', 'warn'], { stdio: 'inherit' })
}

/** Latest modification time under `path` (0 when it does not exist). */
function modifiedMs(path: string): number {
  try {
    const stats = statSync(path)
    if (!stats.isDirectory()) return stats.mtimeMs
    return Math.max(0, ...readdirSync(path).map((entry) => modifiedMs(join(path, entry))))
  } catch {
    return 0
  }
}
