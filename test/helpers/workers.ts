import { type ChildProcess, fork } from 'node:child_process'

/** A forked "app server" that said it is ready, and the report it will send once told to go. */
export interface Worker<Report> {
  readonly child: ChildProcess
  readonly report: Promise<Report>
}

/**
 * Forks `fixture` with `settings` (JSON, its first argument) and resolves once it says it is ready
 * (its first message); its second message is its report. Send it anything to make it go.
 */
export function startWorker<Report>(fixture: URL, settings: object): Promise<Worker<Report>> {
  const child = fork(fixture, [JSON.stringify(settings)])
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)))
    child.once('message', () => {
      const report = new Promise<Report>((done) => child.once('message', (message) => done(message as Report)))
      resolve({ child, report })
    })
  })
}
