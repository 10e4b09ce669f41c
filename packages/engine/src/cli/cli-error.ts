/** Exit statuses: the contract scripts rely on (README, "Command line"). */
export const EXIT_OK = 0
/** Problems found (check), a missing key or bucket, a locked or corrupt file. */
export const EXIT_FAILURE = 1
/** A wrong argument, or a file that cannot be read or is not a database. */
export const EXIT_USAGE = 2

/** An error the CLI reports as one line, with the exit status it implies. */
export class CliError extends Error {
  readonly exitCode: number

  constructor(message: string, exitCode: number = EXIT_FAILURE) {
    super(message)
    this.name = 'CliError'
    this.exitCode = exitCode
  }
}

export function usageError(message: string): CliError {
  return new CliError(`${message} (see btree-store --help)`, EXIT_USAGE)
}
