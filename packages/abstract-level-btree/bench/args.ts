/** Names accepted by --only, each selecting one group of workloads (see store-process.ts). */
export const GROUPS = ['main', 'random-fill', 'sublevel-clear', 'copy'] as const
export type GroupName = (typeof GROUPS)[number]

export function parseGroups(text: string): Set<GroupName> {
  const groups = new Set<GroupName>()
  for (const name of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    if (!(GROUPS as readonly string[]).includes(name)) throw new RangeError(`--only: unknown group '${name}' (known: ${GROUPS.join(', ')})`)
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
