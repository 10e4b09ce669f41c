import type { EngineName, Measurement } from './measure.js'

/**
 * The summary table: one row per workload, the two engines' rates, their ratio
 * (btree-store / lmdb-js) and the project's target for it. Rows whose measurements were not taken
 * (`--only`, `--no-lmdb`) show a dash and no verdict.
 *
 * With several rounds (`run.js --rounds N`, each measurement carrying its `round`), a rate is the
 * median of the engine's rounds and the ratio the median of the rounds' ratios: each round pairs
 * the two engines' runs of a workload made minutes apart, so a machine whose speed drifts between
 * rounds moves both sides of a round's ratio alike. The `rounds` column lists each round's ratio.
 */
interface RowSpec {
  /** btree-store's workload (and lmdb-js's, unless `lmdbWorkload`). */
  workload: string
  /** The row's name in the table, when not `workload`. */
  label?: string
  /** The lmdb-js workload it is compared with, when not `workload`. */
  lmdbWorkload?: string
  /** Minimum btree-store/lmdb-js rate ratio. */
  minRatio?: number
  /** A row with its own columns and verdict instead of the rate ratio. */
  custom?: (find: Finder) => Row
}

type Finder = (workload: string, engine: EngineName) => Measurement | undefined

export interface Row {
  workload: string
  btree: string
  lmdb: string
  ratio: string
  /** Each round's ratio, when there were several ('' otherwise). */
  rounds: string
  target: string
  met: string
}

// The targets of issue 9: every write workload at least 1.5x lmdb-js, random get at least 1x,
// scans at least 2x.
const WRITE = 1.5
const GET = 1
const SCAN = 2

const ROWS: RowSpec[] = [
  { workload: 'sequential fill', minRatio: WRITE },
  { workload: 'sequential fill (durability none)' },
  { workload: 'random fill', minRatio: WRITE },
  { workload: 'random get', minRatio: GET },
  // lmdb-js has no per-call snapshot to match: compared with its plain get.
  { workload: 'random get (view per get)', lmdbWorkload: 'random get' },
  { workload: 'full scan', minRatio: SCAN },
  { workload: 'range scans (100)', minRatio: SCAN },
  { workload: 'overwrite (random order)', minRatio: WRITE },
  { workload: 'delete (random order)', minRatio: WRITE },
  { workload: 'durable commits, one by one', minRatio: WRITE },
  { workload: 'durable commits, 64 in flight', minRatio: WRITE },
  // Like for like: lmdb-js's writers each await `flushed` after their put (an lmdb-js put with
  // overlappingSync settles before its sync, a btree-store 'full' update once on disk). No target
  // of its own: the row above keeps the issue's.
  {
    workload: 'durable commits, 64 in flight',
    label: 'durable commits, 64 in flight (lmdb-js awaiting flushed per put)',
    lmdbWorkload: 'durable commits, 64 in flight, each awaiting flushed',
  },
  { workload: 'drop bucket', custom: dropRow },
  { workload: 'file size after sequential fill', custom: fileSizeRow },
  { workload: 'random fill', custom: writesRow },
]

export function summaryRows(results: Measurement[]): Row[] {
  const rounds = [...new Set(results.map(roundOf))].sort((a, b) => a - b)
  const inRound = (r: number): Measurement[] => results.filter((m) => roundOf(m) === r)
  const finders = rounds.map((r): Finder => {
    const these = inRound(r)
    return (workload, engine) => these.find((m) => m.workload === workload && m.engine === engine)
  })
  const rows: Row[] = []
  for (const spec of ROWS) {
    if (spec.custom !== undefined) {
      const custom = spec.custom
      const perRound = finders.map((find) => custom(find)).filter((row) => row.btree !== '-' || row.lmdb !== '-')
      if (perRound.length === 0) continue
      // The round of the median ratio stands for the row (its figures belong together).
      const ranked = [...perRound].sort((a, b) => (Number(a.ratio) || 0) - (Number(b.ratio) || 0))
      const row = ranked[(ranked.length - 1) >> 1]!
      rows.push({ ...row, rounds: perRound.length > 1 ? perRound.map((x) => x.ratio).join(' ') : '' })
      continue
    }
    const b = finders.map((find) => find(spec.workload, 'btree-store')).filter(isDefined)
    const lm = finders.map((find) => find(spec.lmdbWorkload ?? spec.workload, 'lmdb-js')).filter(isDefined)
    if (b.length === 0 && lm.length === 0) continue
    const ratios: number[] = []
    for (const find of finders) {
      const x = find(spec.workload, 'btree-store')
      const y = find(spec.lmdbWorkload ?? spec.workload, 'lmdb-js')
      if (x !== undefined && y !== undefined) ratios.push(x.opsPerSec / y.opsPerSec)
    }
    const ratio = ratios.length === 0 ? undefined : median(ratios)
    rows.push({
      workload: spec.label ?? spec.workload,
      btree: b.length === 0 ? '-' : rate(median(b.map((m) => m.opsPerSec))),
      lmdb: lm.length === 0 ? '-' : rate(median(lm.map((m) => m.opsPerSec))),
      ratio: ratio === undefined ? '-' : ratio.toFixed(2),
      rounds: ratios.length > 1 ? ratios.map((x) => x.toFixed(2)).join(' ') : '',
      target: spec.minRatio === undefined ? '' : `>= ${spec.minRatio}`,
      met: spec.minRatio === undefined || ratio === undefined ? '' : ratio >= spec.minRatio ? 'yes' : 'NO',
    })
  }
  return rows
}

/** A measurement's round (0 for one made without rounds). */
function roundOf(m: Measurement): number {
  return typeof m.round === 'number' ? m.round : 0
}

/** The median; of an even count, the lower middle value (a figure that was measured). */
export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[(sorted.length - 1) >> 1]!
}

function isDefined<T>(x: T | undefined): x is T {
  return x !== undefined
}

function dropRow(find: Finder): Row {
  const b = find('drop bucket', 'btree-store')
  const l = find('drop bucket', 'lmdb-js')
  const ratio = b === undefined ? undefined : (b.dropOverEmpty as number)
  return {
    workload: 'drop bucket (ms; ratio = drop / empty commit)',
    btree: b === undefined ? '-' : `${ms(b.seconds)} (empty ${ms(b.emptyCommitSeconds as number)})`,
    lmdb: l === undefined ? '-' : `${ms(l.seconds)} (empty ${ms(l.emptyCommitSeconds as number)})`,
    ratio: ratio === undefined ? '-' : ratio.toFixed(2),
    rounds: '',
    target: '<= 5',
    met: ratio === undefined ? '' : ratio <= 5 ? 'yes' : 'NO',
  }
}

function fileSizeRow(find: Finder): Row {
  const b = find('file size after sequential fill', 'btree-store')
  const l = find('file size after sequential fill', 'lmdb-js')
  const ratio = b === undefined ? undefined : (b.overRaw as number)
  return {
    workload: 'file size after seq. fill (MiB; ratio = size / raw)',
    btree: b === undefined ? '-' : `${mibText(b.bytes as number)} (raw ${mibText(b.rawBytes as number)})`,
    lmdb: l === undefined ? '-' : `${mibText(l.bytes as number)} (${(l.overRaw as number).toFixed(2)}x raw)`,
    ratio: ratio === undefined ? '-' : ratio.toFixed(2),
    rounds: '',
    target: '<= 1.2',
    met: ratio === undefined ? '' : ratio <= 1.2 ? 'yes' : 'NO',
  }
}

function writesRow(find: Finder): Row {
  const b = find('random fill', 'btree-store')
  const l = find('random fill', 'lmdb-js')
  const ours = b?.writtenPerUserByte as number | undefined
  const theirs = l?.processWrittenPerUserByte as number | undefined
  const processOurs = b?.processWrittenPerUserByte as number | undefined
  return {
    workload: 'bytes written per user byte, random fill',
    btree:
      ours === undefined
        ? '-'
        : `${ours.toFixed(2)}${processOurs === undefined ? '' : ` (process ${processOurs.toFixed(2)})`}`,
    lmdb: theirs === undefined ? '-' : `${theirs.toFixed(2)} (process)`,
    ratio: ours === undefined || theirs === undefined ? '-' : (ours / theirs).toFixed(2),
    rounds: '',
    target: '<= 5',
    met: ours === undefined ? '' : ours <= 5 ? 'yes' : 'NO',
  }
}

export function formatTable(rows: Row[]): string {
  const header: Row = {
    workload: 'workload',
    btree: 'btree-store ops/s',
    lmdb: 'lmdb-js ops/s',
    ratio: 'ratio',
    rounds: 'rounds',
    target: 'target',
    met: 'met?',
  }
  const all = [header, ...rows]
  const cols = rows.some((r) => r.rounds !== '')
    ? (['workload', 'btree', 'lmdb', 'ratio', 'rounds', 'target', 'met'] as const)
    : (['workload', 'btree', 'lmdb', 'ratio', 'target', 'met'] as const)
  const width = cols.map((c) => Math.max(...all.map((r) => r[c].length)))
  const line = (r: Row): string =>
    `| ${cols.map((c, i) => (i === 0 ? r[c].padEnd(width[i]!) : r[c].padStart(width[i]!))).join(' | ')} |`
  const rule = `|${width.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`
  return [line(header), rule, ...rows.map(line)].join('\n')
}

function rate(x: number): string {
  return Math.round(x).toLocaleString('en-US')
}

function ms(seconds: number): string {
  return (seconds * 1000).toFixed(2)
}

function mibText(bytes: number): string {
  return (bytes / 1048576).toFixed(1)
}
