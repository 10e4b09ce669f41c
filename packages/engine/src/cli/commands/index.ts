import type { Command } from '../command.js'
import { benchCommand } from './bench.js'
import { bucketsCommand } from './buckets.js'
import { checkCommand } from './check.js'
import { compactCommand } from './compact.js'
import { dumpCommand } from './dump.js'
import { getCommand } from './get.js'
import { infoCommand } from './info.js'
import { keysCommand } from './keys.js'
import { loadCommand } from './load.js'
import { statsCommand } from './stats.js'

export type CommandName =
  'info' | 'stats' | 'check' | 'buckets' | 'keys' | 'get' | 'dump' | 'load' | 'compact' | 'bench'

/** Every subcommand; a new name in CommandName fails to compile until it has an entry here. */
export const COMMANDS: Record<CommandName, Command> = {
  info: infoCommand,
  stats: statsCommand,
  check: checkCommand,
  buckets: bucketsCommand,
  keys: keysCommand,
  get: getCommand,
  dump: dumpCommand,
  load: loadCommand,
  compact: compactCommand,
  bench: benchCommand,
}

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name)
}
