import type { OptionName, ParsedArgs } from './args.js'
import type { Output } from './output.js'

export interface CommandContext {
  /** The positional arguments after the command name. */
  args: string[]
  options: ParsedArgs['values']
  out: Output
}

/** One subcommand: its help text, what it accepts, and what it does. */
export interface Command {
  /** `info FILE`: the synopsis in usage messages. */
  synopsis: string
  summary: string
  /** Extra lines for `help COMMAND`. */
  details?: string
  /** Positional arguments: [at least, at most]. */
  arity: readonly [number, number]
  options: readonly OptionName[]
  /** Resolves to the exit status. */
  run(ctx: CommandContext): Promise<number>
}

/** Runs `fn` and closes `db` whatever happens. */
export async function using<D extends { close(): Promise<void> }, T>(db: D, fn: (db: D) => T | Promise<T>): Promise<T> {
  try {
    return await fn(db)
  } finally {
    await db.close()
  }
}
