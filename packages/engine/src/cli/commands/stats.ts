import type { BucketStats, Stats } from '../../base/types.js'
import { CliError, EXIT_OK } from '../cli-error.js'
import { type Command, using } from '../command.js'
import { openForRead } from '../open-db.js'
import { formatBytes } from '../progress.js'

const BAR_WIDTH = 40

export const statsCommand: Command = {
  synopsis: 'stats FILE [--bucket NAME]',
  summary: 'keys, depth, page counts, bytes used and fill per bucket and in total, with a fill histogram',
  arity: [1, 1],
  options: ['bucket'],
  async run({ args, options, out }) {
    const stats = await using(await openForRead(args[0]!), (db) => db.stats())
    const only = options.bucket as string | undefined
    const fileSummary = fileLines(stats)
    if (only !== undefined) {
      const b = stats.buckets.find((x) => x.name === only)
      if (b === undefined) throw new CliError(`no bucket named '${only}'`)
      stats.buckets = [b]
    }
    if (out.json) {
      await out.document(stats)
      return EXIT_OK
    }
    for (const l of fileSummary) await out.line(l)
    for (const b of stats.buckets) {
      await out.line('')
      for (const l of bucketLines(`bucket '${b.name}'`, b, stats.pageSize)) await out.line(l)
    }
    if (only === undefined) {
      await out.line('')
      for (const l of bucketLines('total', stats.total, stats.pageSize)) await out.line(l)
    }
    return EXIT_OK
  },
}

function fileLines(s: Stats): string[] {
  return [
    `page size:     ${s.pageSize}`,
    `txid:          ${s.txid}`,
    `file size:     ${s.fileSize} (${formatBytes(s.fileSize)})`,
    `high water:    ${s.highWater} pages`,
    `free pages:    ${s.freePages}`,
    `pending pages: ${s.pendingPages}`,
    `reclaiming:    ${s.reclaimingPages}`,
    `buckets:       ${s.buckets.length}`,
  ]
}

function bucketLines(title: string, b: Omit<BucketStats, 'name'>, pageSize: number): string[] {
  const pages = b.branchPages + b.leafPages
  return [
    `${title}:`,
    `  keys:           ${b.keys}`,
    `  depth:          ${b.depth}`,
    `  branch pages:   ${b.branchPages}`,
    `  leaf pages:     ${b.leafPages}`,
    `  overflow pages: ${b.overflowPages}`,
    `  bytes used:     ${b.bytesUsed} of ${pages * pageSize} (${formatBytes(b.bytesUsed)})`,
    `  fill:           ${(b.fill * 100).toFixed(1)}%`,
    `  page fill histogram:`,
    ...histogram(b.fillHistogram),
  ]
}

/** One row per 10% band of page fill, the bar scaled to the fullest band. */
export function histogram(counts: readonly number[]): string[] {
  const max = Math.max(1, ...counts)
  const width = String(Math.max(...counts, 0)).length
  return counts.map((n, i) => {
    const band = `${String(i * 10).padStart(3)}-${String(i * 10 + 10).padStart(3)}%`
    const bar = '#'.repeat(Math.ceil((n / max) * BAR_WIDTH))
    return `    ${band} ${String(n).padStart(width)} ${bar}`.trimEnd()
  })
}
