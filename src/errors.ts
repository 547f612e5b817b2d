/**
 * restaudit's error catalogue: every error a user can meet has a stable code. Only the CLI
 * turns these into exit statuses; nothing else calls `process.exit`.
 */
export const ERROR_CODES = {
  /** Unknown flag, missing argument, unknown command. */
  usage: 'RA_ERR_USAGE',
  /** The config file could not be read or parsed. */
  configRead: 'RA_ERR_CONFIG_READ',
  /** The configuration (file, env vars and flags together) is invalid. */
  configInvalid: 'RA_ERR_CONFIG_INVALID',
  /** A listen address could not be bound. */
  listen: 'RA_ERR_LISTEN',
  /** A cluster worker could not start (`--workers`). */
  worker: 'RA_ERR_WORKER',
  /** A recorded traffic file could not be read. */
  input: 'RA_ERR_INPUT',
  /** The OpenAPI document (`--spec`) could not be read, or is broken or unsupported. */
  specInvalid: 'RA_ERR_SPEC_INVALID',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export class RestauditError extends Error {
  /**
   * @param code a stable code from ERROR_CODES
   * @param problems one line per problem, each naming what is wrong (a key path, a flag)
   */
  constructor(
    readonly code: ErrorCode,
    readonly problems: readonly string[],
  ) {
    super(problems.join('; '));
    this.name = 'RestauditError';
  }
}
