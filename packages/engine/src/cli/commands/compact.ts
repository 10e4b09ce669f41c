import fs from 'node:fs'
import path from 'node:path'
import type { Database } from '../../db/database.js'
import { FileLock } from '../../store/lock.js'
import { integerOption } from '../args.js'
import { CliError, EXIT_OK, EXIT_USAGE } from '../cli-error.js'
import { type Command, using } from '../command.js'
import { openForRead, openForWrite } from '../open-db.js'
import { Progress, formatBytes } from '../progress.js'

const BATCH_ENTRIES = 10_000
const BATCH_BYTES = 16 * 1024 * 1024

export const compactCommand: Command = {
  synopsis: 'compact SRC DST [--force] [--page-size B]',
  summary: 'write a fresh, densely packed copy of SRC to DST and report both sizes',
  details:
    "Inserts every bucket's entries in key order, which the engine packs nearly full (ascending inserts split at the end).\n" +
    "Refuses to overwrite an existing DST unless --force. DST keeps SRC's page size unless --page-size.",
  arity: [2, 2],
  options: ['force', 'page-size'],
  async run({ args, options, out }) {
    const [srcPath, dstPath] = args as [string, string]
    if (path.resolve(srcPath) === path.resolve(dstPath)) throw new CliError('SRC and DST are the same file', EXIT_USAGE)
    const src = await openForRead(srcPath)
    const result = await using(src, async () => {
      prepareDestination(dstPath, options.force === true)
      const pageSize = integerOption(options, 'page-size', src.pageSize, 1024)
      const dst = await openForWrite(dstPath, { pageSize })
      return using(dst, () => copyAll(src, dst, srcPath))
    })
    const before = fs.statSync(srcPath).size
    const after = fs.statSync(dstPath).size
    const report = { src: srcPath, dst: dstPath, before, after, buckets: result.buckets, entries: result.entries }
    if (out.json) await out.document(report)
    else {
      const saved = before === 0 ? 0 : ((before - after) / before) * 100
      await out.line(`${srcPath}: ${before} bytes (${formatBytes(before)})`)
      await out.line(`${dstPath}: ${after} bytes (${formatBytes(after)}), ${saved.toFixed(1)}% smaller`)
      await out.line(`copied ${result.entries} entries in ${result.buckets} buckets`)
    }
    return EXIT_OK
  },
}

function prepareDestination(dstPath: string, force: boolean): void {
  if (!fs.existsSync(dstPath)) return
  if (!force) throw new CliError(`${dstPath} exists; pass --force to overwrite it`, EXIT_USAGE)
  if (!fs.statSync(dstPath).isFile()) throw new CliError(`${dstPath} is not a file`, EXIT_USAGE)
  const pid = FileLock.holder(dstPath)
  if (pid !== undefined) throw new CliError(`${dstPath} is locked for writing by process ${pid}`)
  fs.unlinkSync(dstPath)
}

/** Copies from one snapshot of `src`, in batches of write transactions on `dst`. */
async function copyAll(src: Database, dst: Database, srcPath: string): Promise<{ buckets: number; entries: number }> {
  const snap = src.begin()
  const names = snap.buckets()
  const progress = new Progress(
    `compacting ${srcPath}`,
    names.reduce((n, name) => n + snap.bucket(name)!.size, 0),
  )
  let entries = 0
  try {
    let tx = await dst.beginWrite()
    let batchEntries = 0
    let batchBytes = 0
    for (const name of names) {
      let target = tx.createBucket(name)
      const cursor = snap.bucket(name)!.cursor()
      for (let ok = cursor.first(); ok; ok = cursor.next()) {
        const key = cursor.key!
        const value = cursor.value!
        target.put(key, value)
        entries++
        batchEntries++
        batchBytes += key.length + value.length
        progress.tick()
        if (batchEntries >= BATCH_ENTRIES || batchBytes >= BATCH_BYTES) {
          await tx.commit({ durability: 'none' })
          tx = await dst.beginWrite()
          target = tx.bucket(name)!
          batchEntries = 0
          batchBytes = 0
        }
      }
    }
    await tx.commit({ durability: 'full' })
  } finally {
    snap.close()
    progress.done()
  }
  return { buckets: names.length, entries }
}
