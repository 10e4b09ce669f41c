import type { Measurement, StoreName } from './measure.js'
import { W } from './workloads.js'

/**
 * The summary table: one row per workload, the three stores' figures, btree-level's ratio to
 * classic-level and to memory-level, and the issue's target. With several rounds each cell is the
 * store's best round (highest rate, shortest clear, smallest size): on a shared machine other
 * work only ever slows a measurement down. Rows none of whose measurements were taken (--only,
 * --stores) are left out; a row missing a store shows a dash and no verdict.
 */
export interface Row {
  workload: string
  btree: string
  classic: string
  memory: string
  vsClassic: string
  vsMemory: string
  target: string
  met: string
}

type Finder = (workload: string, store: StoreName) => Measurement | undefined

interface RowSpec {
  workload: string
  /** Minimum btree-level / classic-level rate ratio. */
  minClassic?: number
  /** Minimum btree-level / memory-level rate ratio. */
  minMemory?: number
  /** A row with its own columns and verdict. */
  custom?: (find: Finder) => Row | undefined
}

const ROWS: RowSpec[] = [
  { workload: W.seqFill, minClassic: 1 },
  { workload: W.randomFill, minClassic: 1 },
  { workload: W.randomFillAgain },
  { workload: W.syncPut, minClassic: 1 },
  { workload: W.get, minClassic: 6, minMemory: 0.8 },
  { workload: W.getMany, minClassic: 1 },
  { workload: W.forAwait },
  { workload: W.nextv, minClassic: 1.5 },
  { workload: W.range, minClassic: 1.5 },
  { workload: W.overwrite, minClassic: 1 },
  { workload: W.delete, minClassic: 1 },
  { workload: W.sublevelClear, custom: sublevelClearRow },
  { workload: W.afterClear },
  { workload: W.copy },
  { workload: W.disk, custom: diskRow },
  { workload: W.rss, custom: rssRow },
]

export function summaryRows(results: Measurement[]): Row[] {
  const find: Finder = (workload, store) => best(results.filter((m) => m.workload === workload && m.store === store))
  const rows: Row[] = []
  for (const spec of ROWS) {
    if (spec.custom !== undefined) {
      const row = spec.custom(find)
      if (row !== undefined) rows.push(row)
      continue
    }
    const b = find(spec.workload, 'btree-level')
    const c = find(spec.workload, 'classic-level')
    const m = find(spec.workload, 'memory-level')
    if (b === undefined && c === undefined && m === undefined) continue
    const vsClassic = b !== undefined && c !== undefined ? b.opsPerSec / c.opsPerSec : undefined
    const vsMemory = b !== undefined && m !== undefined ? b.opsPerSec / m.opsPerSec : undefined
    const targets: string[] = []
    const verdicts: boolean[] = []
    if (spec.minClassic !== undefined) {
      targets.push(`>= ${spec.minClassic}x classic`)
      if (vsClassic !== undefined) verdicts.push(vsClassic >= spec.minClassic)
    }
    if (spec.minMemory !== undefined) {
      targets.push(`>= ${spec.minMemory}x memory`)
      if (vsMemory !== undefined) verdicts.push(vsMemory >= spec.minMemory)
    }
    const complete = verdicts.length === targets.length && targets.length > 0
    rows.push({
      workload: `${spec.workload} (ops/s)`,
      btree: rate(b),
      classic: rate(c),
      memory: rate(m),
      vsClassic: ratio(vsClassic),
      vsMemory: ratio(vsMemory),
      target: targets.join(', '),
      met: complete ? (verdicts.every(Boolean) ? 'yes' : 'NO') : '',
    })
  }
  return rows
}

/** Milliseconds per clear; the ratio is classic-level's time over btree-level's. */
function sublevelClearRow(find: Finder): Row | undefined {
  const b = find(W.sublevelClear, 'btree-level')
  const c = find(W.sublevelClear, 'classic-level')
  const m = find(W.sublevelClear, 'memory-level')
  if (b === undefined && c === undefined && m === undefined) return undefined
  const n = (b ?? c ?? m)!.ops
  const vsClassic = b !== undefined && c !== undefined ? c.seconds / b.seconds : undefined
  const vsMemory = b !== undefined && m !== undefined ? m.seconds / b.seconds : undefined
  return {
    workload: `${W.sublevelClear} of ${n.toLocaleString('en-US')} entries (ms)`,
    btree: millis(b),
    classic: millis(c),
    memory: millis(m),
    vsClassic: ratio(vsClassic),
    vsMemory: ratio(vsMemory),
    target: '>= 100x classic at n = 200,000',
    met: vsClassic === undefined ? '' : vsClassic >= 100 ? 'yes' : 'NO',
  }
}

/** MiB on disk; lower is better, so the ratio shown is btree-level's size over classic-level's. */
function diskRow(find: Finder): Row | undefined {
  const b = find(W.disk, 'btree-level')
  const c = find(W.disk, 'classic-level')
  if (b === undefined && c === undefined) return undefined
  const over = b !== undefined && c !== undefined ? (b.bytes as number) / (c.bytes as number) : undefined
  return {
    workload: `${W.disk} (MiB; ratio = size / classic's)`,
    btree: size(b),
    classic: size(c),
    memory: '(no disk)',
    vsClassic: ratio(over),
    vsMemory: '',
    target: '<= 1.1x classic',
    met: over === undefined ? '' : over <= 1.1 ? 'yes' : 'NO',
  }
}

/** Each store's process peak, dataset included (the same for every store). */
function rssRow(find: Finder): Row | undefined {
  const b = find(W.rss, 'btree-level')
  const c = find(W.rss, 'classic-level')
  const m = find(W.rss, 'memory-level')
  if (b === undefined && c === undefined && m === undefined) return undefined
  const base = (b ?? c ?? m)!.datasetRssMiB as number
  const show = (x: Measurement | undefined): string => (x === undefined ? '-' : (x.mib as number).toFixed(0))
  const over = b !== undefined && c !== undefined ? (b.bytes as number) / (c.bytes as number) : undefined
  const overMemory = b !== undefined && m !== undefined ? (b.bytes as number) / (m.bytes as number) : undefined
  return {
    workload: `${W.rss} of the store's process (MiB; before the store opened ${base.toFixed(0)}; ratio = rss / other's)`,
    btree: show(b),
    classic: show(c),
    memory: show(m),
    vsClassic: ratio(over),
    vsMemory: ratio(overMemory),
    target: '',
    met: '',
  }
}

/** The best of a store's rounds of one workload: the highest rate, or the least time or bytes. */
function best(rounds: Measurement[]): Measurement | undefined {
  let chosen: Measurement | undefined
  for (const m of rounds) {
    if (chosen === undefined || score(m) > score(chosen)) chosen = m
  }
  return chosen
}

function score(m: Measurement): number {
  if (m.workload === W.sublevelClear) return -m.seconds
  if (typeof m.bytes === 'number' && (m.workload === W.disk || m.workload === W.rss)) return -m.bytes
  return m.opsPerSec
}

export function formatTable(rows: Row[]): string {
  const header: Row = {
    workload: 'workload',
    btree: 'btree-level',
    classic: 'classic-level',
    memory: 'memory-level',
    vsClassic: 'btree / classic',
    vsMemory: 'btree / memory',
    target: 'target',
    met: 'met?',
  }
  const all = [header, ...rows]
  const cols = ['workload', 'btree', 'classic', 'memory', 'vsClassic', 'vsMemory', 'target', 'met'] as const
  const left = new Set<string>(['workload', 'target', 'met'])
  const width = cols.map((c) => Math.max(...all.map((r) => r[c].length)))
  const line = (r: Row): string =>
    `| ${cols.map((c, i) => (left.has(c) ? r[c].padEnd(width[i]!) : r[c].padStart(width[i]!))).join(' | ')} |`
  const rule = `|${cols.map((c, i) => (left.has(c) ? '-'.repeat(width[i]! + 2) : `${'-'.repeat(width[i]! + 1)}:`)).join('|')}|`
  return [line(header), rule, ...rows.map(line)].join('\n')
}

function rate(m: Measurement | undefined): string {
  return m === undefined ? '-' : Math.round(m.opsPerSec).toLocaleString('en-US')
}

function ratio(x: number | undefined): string {
  if (x === undefined) return '-'
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)
}

function millis(m: Measurement | undefined): string {
  if (m === undefined) return '-'
  const ms = m.seconds * 1000
  return ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(1) : ms.toFixed(3)
}

function size(m: Measurement | undefined): string {
  return m === undefined ? '-' : ((m.bytes as number) / 1048576).toFixed(1)
}
