import { integerOption } from '../args.js'
import { encodeField, encodingOption, parseKeyArgument, textField } from '../bytes.js'
import { EXIT_OK } from '../cli-error.js'
import { type Command, using } from '../command.js'
import { openForRead } from '../open-db.js'
import { requireBucket } from './get.js'

export const keysCommand: Command = {
  synopsis: 'keys FILE BUCKET [--prefix P] [--limit N]',
  summary: "list a bucket's keys in order (text when printable UTF-8, else hex:...)",
  details: 'P is UTF-8, or hex after a hex: prefix. With --json, keys are hex unless --base64 or --utf8.',
  arity: [2, 2],
  options: ['prefix', 'limit', 'hex', 'base64', 'utf8'],
  async run({ args, options, out }) {
    const [path, name] = args as [string, string]
    const prefix = options.prefix === undefined ? undefined : parseKeyArgument(options.prefix as string)
    const limit = integerOption(options, 'limit', -1)
    const encoding = encodingOption(options, 'hex')
    const keys: unknown[] = []
    await using(await openForRead(path), async (db) => {
      const tx = db.begin()
      try {
        const cursor = requireBucket(tx, name).cursor()
        let ok = prefix === undefined || prefix.length === 0 ? cursor.first() : cursor.seek(prefix)
        for (let n = 0; ok && n !== limit; n++, ok = cursor.next()) {
          const key = cursor.key!
          if (prefix !== undefined && !startsWith(key, prefix)) break
          if (out.json) keys.push(encodeField(key, encoding))
          else await out.line(textField(key, encodingOption(options, undefined)))
        }
      } finally {
        tx.close()
      }
    })
    if (out.json) await out.document({ bucket: name, encoding, keys })
    return EXIT_OK
  },
}

function startsWith(key: Uint8Array, prefix: Uint8Array): boolean {
  if (key.length < prefix.length) return false
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false
  return true
}
