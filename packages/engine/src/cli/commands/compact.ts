import fs from 'node:fs'
import path from 'node:path'
import { compact } from '../../db/compact.js'
import { FileLock } from '../../store/lock.js'
import { integerOption } from '../args.js'
import { CliError, EXIT_OK, EXIT_USAGE } from '../cli-error.js'
import { type Command, using } from '../command.js'
import { openForRead } from '../open-db.js'
import { Progress, formatBytes } from '../progress.js'

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
      let progress: Progress | undefined
      try {
        return await compact(src, dstPath, {
          pageSize,
          onProgress: (_, total) => (progress ??= new Progress(`compacting ${srcPath}`, total)).tick(),
        })
      } finally {
        progress?.done()
      }
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
