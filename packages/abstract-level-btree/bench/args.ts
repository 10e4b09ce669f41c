/** Names accepted by --only, each selecting one group of workloads (see store-process.ts). */
export const GROUPS = ['main', 'random-fill', 'sublevel-clear', 'copy'] as const
export type GroupName = (typeof GROUPS)[number]

export function parseGroups(text: string): Set<GroupName> {
  const groups = new Set<GroupName>()
  for (const name of text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    if (!(GROUPS as readonly string[]).includes(name))
      throw new RangeError(`--only: unknown group '${name}' (known: ${GROUPS.join(', ')})`)
    groups.add(name as GroupName)
  }
  if (groups.size === 0) throw new RangeError('--only: no group selected')
  return groups
}

export function positiveInt(name: string, text: string): number {
  const v = Number(text)
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`--${name} must be a positive integer, got ${text}`)
  return v
}

/** The options that describe the data set, read the same way by run.ts and each store's process. */
export const DATASET_OPTIONS = {
  n: { type: 'string', default: '200000' },
  gets: { type: 'string' },
  'key-size': { type: 'string', default: '16' },
  'value-size': { type: 'string', default: '100' },
  batch: { type: 'string', default: '1000' },
  ranges: { type: 'string', default: '10000' },
  'sync-puts': { type: 'string', default: '2000' },
  seed: { type: 'string', default: '1' },
  'btree-cache-mib': { type: 'string' },
  only: { type: 'string', default: GROUPS.join(',') },
} as const

export interface DatasetOptions {
  config: {
    n: number
    keySize: number
    valueSize: number
    batch: number
    ranges: number
    syncPuts: number
    seed: number
  }
  /** Random gets to time: at most n. */
  gets: number
  groups: Set<GroupName>
  btreeCacheMiB: number | undefined
}

/** Validates the values parsed with DATASET_OPTIONS. */
export function parseDatasetOptions(values: { [K in keyof typeof DATASET_OPTIONS]?: string }): DatasetOptions {
  const req = (name: keyof typeof DATASET_OPTIONS): number => positiveInt(name, values[name] ?? '')
  const config = {
    n: req('n'),
    keySize: req('key-size'),
    valueSize: req('value-size'),
    batch: req('batch'),
    ranges: req('ranges'),
    syncPuts: req('sync-puts'),
    seed: req('seed'),
  }
  return {
    config,
    gets: values.gets === undefined ? config.n : Math.min(config.n, positiveInt('gets', values.gets)),
    groups: parseGroups(values.only ?? ''),
    btreeCacheMiB:
      values['btree-cache-mib'] === undefined ? undefined : positiveInt('btree-cache-mib', values['btree-cache-mib']),
  }
}
