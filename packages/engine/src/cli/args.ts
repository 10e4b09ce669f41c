import { parseArgs } from 'node:util'
import { usageError } from './cli-error.js'

/** Every option any command takes; each command lists the ones it accepts (commands/index.ts). */
export const OPTION_SPECS = {
  json: { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  bucket: { type: 'string' },
  prefix: { type: 'string' },
  limit: { type: 'string' },
  hex: { type: 'boolean' },
  base64: { type: 'boolean' },
  utf8: { type: 'boolean' },
  raw: { type: 'boolean' },
  force: { type: 'boolean' },
  'page-size': { type: 'string' },
  n: { type: 'string' },
  'value-size': { type: 'string' },
  batch: { type: 'string' },
  random: { type: 'boolean' },
  seed: { type: 'string' },
} as const

export type OptionName = keyof typeof OPTION_SPECS

/** Options that every command accepts. */
export const GLOBAL_OPTIONS: readonly OptionName[] = ['json', 'debug', 'help']

export interface ParsedArgs {
  command: string | undefined
  positionals: string[]
  values: Partial<Record<OptionName, string | boolean>>
}

/** Splits argv into the command, its positionals and options; unknown options are usage errors. */
export function parseCommandLine(argv: readonly string[]): ParsedArgs {
  let parsed
  try {
    parsed = parseArgs({ args: [...argv], options: OPTION_SPECS, allowPositionals: true, strict: true })
  } catch (err) {
    throw usageError((err as Error).message.split('\n')[0]!)
  }
  const [command, ...positionals] = parsed.positionals
  return { command, positionals, values: parsed.values as ParsedArgs['values'] }
}

/** The options a command was given that it does not take. */
export function unexpectedOptions(values: ParsedArgs['values'], allowed: readonly OptionName[]): string[] {
  return Object.keys(values).filter(
    (k) => !GLOBAL_OPTIONS.includes(k as OptionName) && !allowed.includes(k as OptionName),
  )
}

/** A non-negative integer option, or `fallback` when absent. */
export function integerOption(values: ParsedArgs['values'], name: OptionName, fallback: number, min = 0): number {
  const raw = values[name]
  if (raw === undefined) return fallback
  const text = String(raw).replace(/_/g, '')
  const n = /^\d+$/.test(text) ? Number(text) : NaN
  if (!Number.isSafeInteger(n) || n < min)
    throw usageError(`--${name} needs an integer >= ${min}, got '${String(raw)}'`)
  return n
}
