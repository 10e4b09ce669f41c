import { EXIT_OK } from '../cli-error.js'
import { type Command, using } from '../command.js'
import { openForRead } from '../open-db.js'
import { formatBytes } from '../progress.js'

export const infoCommand: Command = {
  synopsis: 'info FILE',
  summary: 'format version, page size, transaction id, file size, high-water mark, meta pages',
  arity: [1, 1],
  options: [],
  async run({ args, out }) {
    const info = await using(await openForRead(args[0]!), (db) => db.info())
    if (out.json) {
      await out.document(info)
      return EXIT_OK
    }
    const lines = [
      `file:            ${info.path}`,
      `format version:  ${info.formatVersion}`,
      `page size:       ${info.pageSize}`,
      `transaction id:  ${info.txid}`,
      `file size:       ${info.fileSize} (${formatBytes(info.fileSize)})`,
      `high-water mark: ${info.highWater} pages (${formatBytes(info.highWater * info.pageSize)})`,
      `active meta:     ${info.activeMeta}`,
      ...(info.journal === undefined
        ? []
        : [
            `journal:         ${info.journal.records} commits, ${info.journal.bytes} bytes since checkpoint txid ${info.checkpointTxid} (${info.journal.path})`,
          ]),
      ...info.skipped.map((s) => `skipped at open: ${s}`),
      ...info.metas.map(
        (m) =>
          `meta ${m.slot}:          ${m.valid ? `valid, txid ${m.txid}` : 'invalid'}${m.problem === undefined ? '' : ` (${m.problem})`}`,
      ),
    ]
    for (const l of lines) await out.line(l)
    return EXIT_OK
  },
}
