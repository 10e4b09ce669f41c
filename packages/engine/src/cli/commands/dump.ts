import { encodeField, encodingOption } from '../bytes.js'
import { EXIT_OK } from '../cli-error.js'
import { type Command, using } from '../command.js'
import { dumpHeader } from '../dump-format.js'
import { openForRead } from '../open-db.js'
import { Progress } from '../progress.js'
import { requireBucket } from './get.js'

export const dumpCommand: Command = {
  synopsis: 'dump FILE [--bucket NAME] [--base64 | --utf8]',
  summary: 'write every entry as JSON lines (keys and values hex by default)',
  details: 'The first line is a header naming the encoding; `load` reads the output back.',
  arity: [1, 1],
  options: ['bucket', 'hex', 'base64', 'utf8'],
  async run({ args, options, out }) {
    const path = args[0]!
    const encoding = encodingOption(options, 'hex')
    const only = options.bucket as string | undefined
    await using(await openForRead(path), async (db) => {
      // One snapshot for the whole dump: a consistent copy even while another process writes.
      const tx = db.begin()
      try {
        const names = only === undefined ? tx.buckets() : [requireBucket(tx, only).name]
        const progress = new Progress(
          `dumping ${path}`,
          names.reduce((n, name) => n + tx.bucket(name)!.size, 0),
        )
        await out.line(JSON.stringify(dumpHeader(encoding)))
        for (const name of names) {
          const bucket = tx.bucket(name)!
          await out.line(JSON.stringify({ bucket: name }))
          const cursor = bucket.cursor()
          for (let ok = cursor.first(); ok && !out.broken; ok = cursor.next()) {
            await out.line(
              JSON.stringify({
                bucket: name,
                key: encodeField(cursor.key!, encoding),
                value: encodeField(cursor.value!, encoding),
              }),
            )
            progress.tick()
          }
        }
        await out.flush()
        progress.done()
      } finally {
        tx.close()
      }
    })
    return EXIT_OK
  },
}
