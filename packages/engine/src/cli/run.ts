import { BTreeError } from '../base/errors.js'
import { parseCommandLine, unexpectedOptions } from './args.js'
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, usageError } from './cli-error.js'
import { COMMANDS, isCommandName } from './commands/index.js'
import { Output } from './output.js'
import { commandUsage, mainUsage } from './usage.js'

/** Exit statuses of engine errors that reach the top; the rest exit 1. */
const EXIT_BY_CODE: Partial<Record<string, number>> = {
  BTREE_INVALID_ARGUMENT: EXIT_USAGE,
  BTREE_BUCKET_NAME_INVALID: EXIT_USAGE,
  BTREE_KEY_REQUIRED: EXIT_USAGE,
  BTREE_KEY_TOO_LARGE: EXIT_USAGE,
  BTREE_NOT_A_DATABASE: EXIT_USAGE,
}

/**
 * Runs one command line and resolves to the exit status. Every failure is reported as one line,
 * `btree-store: <message>`, on stderr; the stack only with --debug.
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  const debug = argv.includes('--debug')
  const out = new Output(process.stdout, argv.includes('--json'))
  try {
    const status = await dispatch(argv, out)
    await out.flush()
    return status
  } catch (err) {
    await out.flush().catch(() => {})
    process.stderr.write(`btree-store: ${messageOf(err)}\n`)
    if (debug && err instanceof Error && err.stack !== undefined) process.stderr.write(`${err.stack}\n`)
    return exitCodeOf(err)
  }
}

async function dispatch(argv: readonly string[], out: Output): Promise<number> {
  const parsed = parseCommandLine(argv)
  const { command, positionals, values } = parsed
  if (command === undefined || command === 'help') {
    const topic = command === 'help' ? positionals[0] : undefined
    if (command === undefined && values.help !== true) throw usageError('no command given')
    if (topic !== undefined && !isCommandName(topic)) throw usageError(`unknown command '${topic}'`)
    await out.line(topic === undefined ? mainUsage() : commandUsage(topic))
    return EXIT_OK
  }
  if (!isCommandName(command)) throw usageError(`unknown command '${command}'`)
  if (values.help === true) {
    await out.line(commandUsage(command))
    return EXIT_OK
  }
  const spec = COMMANDS[command]
  const extra = unexpectedOptions(values, spec.options)
  if (extra.length > 0) throw usageError(`${command} does not take --${extra[0]}`)
  const [min, max] = spec.arity
  if (positionals.length < min || positionals.length > max) {
    throw usageError(`usage: btree-store ${spec.synopsis}`)
  }
  return spec.run({ args: positionals, options: values, out })
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0]!
  return String(err)
}

function exitCodeOf(err: unknown): number {
  if (err instanceof CliError) return err.exitCode
  if (err instanceof BTreeError || err instanceof TypeError || err instanceof RangeError) {
    const code = (err as { code?: unknown }).code
    if (typeof code === 'string') return EXIT_BY_CODE[code] ?? EXIT_FAILURE
  }
  return EXIT_FAILURE
}
