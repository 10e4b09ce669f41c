import { COMMANDS, type CommandName } from './commands/index.js'

const OPTION_HELP: Record<string, string> = {
  bucket: '--bucket NAME   only this bucket',
  prefix: '--prefix P      only keys starting with P',
  limit: '--limit N       at most N keys',
  hex: '--hex           keys and values as hex (the default in JSON)',
  base64: '--base64        keys and values as base64',
  utf8: '--utf8          keys and values as UTF-8 text ({"hex": ...} where not valid UTF-8)',
  raw: "--raw           write the value's bytes as they are",
  force: '--force         overwrite an existing DST',
  'page-size': '--page-size B   page size of a new file (1024..65536, a power of two)',
  n: '--n N           entries (default 100000)',
  'value-size': '--value-size B  value bytes (default 100)',
  batch: '--batch K       puts per transaction (default 1000)',
  random: '--random        random key order instead of ascending',
  seed: '--seed S        seed for --random (printed with --json)',
}

/** The overview printed by `--help` and `help`. */
export function mainUsage(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.synopsis.split(' ')[0]!.length))
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  return [
    'Usage: btree-store <command> [arguments] [options]',
    '',
    'Inspect, verify, export, import and compact btree-store database files.',
    '',
    'Commands:',
    ...lines,
    "  help [command]  this text, or one command's",
    '',
    'Options for every command:',
    '  --json          machine-readable output: one JSON document (JSON lines for dump)',
    '  --debug         print stack traces of errors',
    '  -h, --help      usage',
    '',
    'Keys on the command line are UTF-8, or hex after a "hex:" prefix (hex:00ff).',
    'Exit status: 0 success, 1 failure (problems found, not found, locked, corrupt), 2 usage or unreadable file.',
  ].join('\n')
}

export function commandUsage(name: CommandName): string {
  const c = COMMANDS[name]
  const lines = [`Usage: btree-store ${c.synopsis}`, '', c.summary]
  if (c.details !== undefined) lines.push('', c.details)
  if (c.options.length > 0) lines.push('', 'Options:', ...c.options.map((o) => `  ${OPTION_HELP[o] ?? `--${o}`}`))
  lines.push('', 'Also: --json, --debug, --help')
  return lines.join('\n')
}
