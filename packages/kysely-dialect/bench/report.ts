import type { Side, SideName } from './sides.js'
import type { Workload, WorkloadName } from './workloads.js'

/** One side's result for one workload in one round. */
export type Outcome = { opsPerSec: number } | { unsupported: string } | { error: string } | { notApplicable: true }

export class Results {
  readonly #byKey = new Map<string, Outcome[]>()

  add(side: SideName, workload: WorkloadName, outcome: Outcome): void {
    const key = `${side}/${workload}`
    const list = this.#byKey.get(key) ?? []
    list.push(outcome)
    this.#byKey.set(key, list)
  }

  /** The median ops/s over the rounds, or the reason there is none (unsupported wins over error). */
  summary(side: SideName, workload: WorkloadName): Outcome | undefined {
    const list = this.#byKey.get(`${side}/${workload}`)
    if (list === undefined || list.length === 0) return undefined
    const rates = list.flatMap((o) => ('opsPerSec' in o ? [o.opsPerSec] : [])).sort((a, b) => a - b)
    if (rates.length === list.length) {
      const mid = rates.length >> 1
      return { opsPerSec: rates.length % 2 === 1 ? rates[mid]! : (rates[mid - 1]! + rates[mid]!) / 2 }
    }
    return list.find((o) => 'unsupported' in o) ?? list.find((o) => 'error' in o) ?? list[0]
  }

  get failed(): boolean {
    for (const list of this.#byKey.values()) if (list.some((o) => 'error' in o)) return true
    return false
  }
}

export function formatRate(rate: number): string {
  if (rate < 1000) return String(Math.round(rate))
  if (rate < 100_000) return `${(rate / 1000).toFixed(1)}k`
  return `${Math.round(rate / 1000)}k`
}

function cell(outcome: Outcome | undefined): string {
  if (outcome === undefined) return '-'
  if ('opsPerSec' in outcome) return formatRate(outcome.opsPerSec)
  if ('unsupported' in outcome) return 'unsupported'
  if ('error' in outcome) return 'error'
  return 'n/a'
}

function ratio(a: Outcome | undefined, b: Outcome | undefined): string {
  if (a === undefined || b === undefined || !('opsPerSec' in a) || !('opsPerSec' in b)) return '-'
  return `${(a.opsPerSec / b.opsPerSec).toFixed(2)}×`
}

/** The sides btree-store's ratios are taken against, in the table's column order. */
const RATIO_SIDES: readonly [SideName, string][] = [
  ['better-sqlite3', 'btree / better-sqlite3'],
  ['pglite', 'btree / PGlite'],
  ['sql.js', 'btree / sql.js'],
]

/** The markdown table: ops/s per side (medians), btree-store's ratio to better-sqlite3, PGlite and sql.js. */
export function markdownTable(results: Results, sides: readonly Side[], workloads: readonly Workload[]): string {
  const header = ['workload', ...sides.map((s) => `${s.name} (${s.setting})`), ...RATIO_SIDES.map(([, label]) => label)]
  const lines = [
    `| ${header.join(' | ')} |`,
    `| --- | ${header
      .slice(1)
      .map(() => '---:')
      .join(' | ')} |`,
  ]
  for (const w of workloads) {
    const label =
      w.name === 'update-durable'
        ? `${w.label} (${sides.map((s) => s.durableSetting ?? 'no disk').join(' / ')})`
        : w.label
    const cells = sides.map((s) => cell(results.summary(s.name, w.name)))
    const btree = results.summary('btree-store', w.name)
    const ratios = RATIO_SIDES.map(([other]) => {
      const r = ratio(btree, results.summary(other, w.name))
      // A side whose durable row does not sync: btree-store's 'full' against it compares unequal promises.
      const side = sides.find((s) => s.name === other)
      return w.name === 'update-durable' && side !== undefined && !side.durableSyncs && r !== '-'
        ? `${r} ('full' vs no fsync)`
        : r
    })
    lines.push(`| ${[label, ...cells, ...ratios].join(' | ')} |`)
  }
  return lines.join('\n')
}

/**
 * What the durable row compares for each side that does not sync (PGlite runs with `fsync=off`):
 * at matching durability, neither side syncing, the comparison is the autocommit update row
 * (btree-store's durability 'none'); both figures are given. Empty when no such side ran.
 */
export function durabilityNotes(results: Results, sides: readonly Side[]): string[] {
  const notes: string[] = []
  const none = results.summary('btree-store', 'update')
  const full = results.summary('btree-store', 'update-durable')
  for (const side of sides) {
    if (side.name === 'btree-store' || side.durableSetting === undefined || side.durableSyncs) continue
    const other = results.summary(side.name, 'update-durable')
    notes.push(
      `${side.name} (${side.durableSetting}) never syncs: at matching durability (no fsync on either side) ` +
        `btree-store durability 'none' / ${side.name} = ${ratio(none, results.summary(side.name, 'update'))} ` +
        `(the autocommit update row); btree-store durability 'full' (an fdatasync per commit) / ` +
        `${side.name} = ${ratio(full, other)} (the durable row).`,
    )
  }
  return notes
}
