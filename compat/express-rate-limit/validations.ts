// express-rate-limit's validation checks: the same names (for `validate`), codes and conditions, each
// run once per middleware and logged (never thrown), an error or a change warning, through `logger`.
import type { EnabledValidations, Logger, ValidationName } from './types.js'

/** A misconfiguration found by a check: `code` is express-rate-limit's, `help` its page on it. */
export class ValidationError extends Error {
  override name = 'ValidationError'
  readonly help: string

  constructor(
    readonly code: string,
    message: string,
  ) {
    const help = `https://express-rate-limit.github.io/${code}/`
    super(`${message} See ${help} for more information.`)
    this.help = help
  }
}

/** A check about behaviour that changed between versions: logged as a warning, not an error. */
export class ChangeWarning extends ValidationError {
  override name = 'ChangeWarning'
}

/** What a check found: nothing, or the problem to log. */
type Finding = ValidationError | undefined

const NAMES: readonly ValidationName[] = [
  'ip',
  'trustProxy',
  'xForwardedForHeader',
  'forwardedHeader',
  'positiveHits',
  'unsharedStore',
  'singleCount',
  'limit',
  'draftPolliHeaders',
  'onLimitReached',
  'headersDraftVersion',
  'headersResetTime',
  'knownOptions',
  'validationsConfig',
  'creationStack',
  'ipv6Subnet',
  'ipv6SubnetOrKeyGenerator',
  'keyGeneratorIpFallback',
  'windowMs',
]

/**
 * One middleware's checks. `run(name, check)` runs a check the first time it is reached if
 * `validate` enables it, never again (misconfiguration shows once, not once per request), and logs
 * what it finds: a `ChangeWarning` through `logger.warn`, any other finding through `logger.error`.
 *
 * @example
 * ```ts
 * validations.run('limit', () => (limit === 0 ? new ChangeWarning('WRN_ERL_MAX_ZERO', '...') : undefined))
 * ```
 */
export class Validations {
  /** Which checks may still run, by name, and `default` for the rest. */
  readonly enabled: Record<string, boolean>
  readonly #logger: Logger

  constructor(validate: boolean | EnabledValidations, logger: Logger) {
    this.enabled = typeof validate === 'boolean' ? { default: validate } : { default: true, ...validate }
    this.#logger = logger
  }

  /** Runs `check` once, if enabled; a check that throws is logged as what it found. */
  run(name: ValidationName, check: () => Finding): void {
    if (!(this.enabled[name] ?? this.enabled.default)) return
    this.enabled[name] = false
    let finding: unknown
    try {
      finding = check()
    } catch (error) {
      finding = error
    }
    if (finding instanceof ChangeWarning) this.#logger.warn(finding)
    else if (finding !== undefined) this.#logger.error(finding)
  }

  /** Logs every name `validate` gives that is no check (`ERR_ERL_UNKNOWN_VALIDATION`). */
  checkConfig(): void {
    this.run('validationsConfig', () => {
      const unknown = Object.keys(this.enabled).find((name) => name !== 'default' && !isValidationName(name))
      if (unknown === undefined) return undefined
      return new ValidationError(
        'ERR_ERL_UNKNOWN_VALIDATION',
        `\`validate.${unknown}\` names no validation check; the checks are ${[...NAMES, 'default'].join(', ')}.`,
      )
    })
  }
}

function isValidationName(name: string): name is ValidationName {
  return (NAMES as readonly string[]).includes(name)
}

/** The console as express-rate-limit logs to it: the message first, then the error. */
export const consoleLogger: Logger = {
  error: (error, message) => (message === undefined ? console.error(error) : console.error(message, error)),
  warn: (error, message) => (message === undefined ? console.warn(error) : console.warn(message, error)),
}
