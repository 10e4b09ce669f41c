import { BTreeError } from '../../base/errors.js'
import type { ReadBucket, ReadTransaction } from '../../base/types.js'
import { encodeField, encodingOption, parseKeyArgument, textField, toBuffer } from '../bytes.js'
import { CliError, EXIT_OK } from '../cli-error.js'
import { type Command, using } from '../command.js'
import { openForRead } from '../open-db.js'

export const getCommand: Command = {
  synopsis: 'get FILE BUCKET KEY',
  summary: 'print one value (text when printable UTF-8, else hex:...; --raw for the bytes)',
  details: 'KEY is UTF-8, or hex after a hex: prefix. Exit 1 when the key is absent.',
  arity: [3, 3],
  options: ['hex', 'base64', 'utf8', 'raw'],
  async run({ args, options, out }) {
    const [path, name, keyText] = args as [string, string, string]
    const key = parseKeyArgument(keyText)
    const value = await using(await openForRead(path), (db) => db.view((tx) => requireBucket(tx, name).get(key)))
    if (value === undefined) throw new CliError(`key not found: ${keyText} in bucket '${name}'`)
    const encoding = encodingOption(options, 'hex')
    if (out.json) {
      await out.document({
        bucket: name,
        encoding,
        key: encodeField(key, encoding),
        value: encodeField(value, encoding),
      })
    } else if (options.raw === true) {
      await out.bytes(toBuffer(value))
    } else {
      await out.line(textField(value, encodingOption(options, undefined)))
    }
    return EXIT_OK
  },
}

export function requireBucket(tx: ReadTransaction, name: string): ReadBucket {
  const b = tx.bucket(name)
  if (b === undefined) throw new BTreeError('BTREE_BUCKET_NOT_FOUND', `no bucket named '${name}'`)
  return b
}
