import { EXIT_OK } from '../cli-error.js'
import { type Command, using } from '../command.js'
import { openForRead } from '../open-db.js'

export const bucketsCommand: Command = {
  synopsis: 'buckets FILE',
  summary: 'list the buckets and their key counts',
  arity: [1, 1],
  options: [],
  async run({ args, out }) {
    const list = await using(await openForRead(args[0]!), (db) =>
      db.view((tx) => tx.buckets().map((name) => ({ name, keys: tx.bucket(name)!.size }))),
    )
    if (out.json) {
      await out.document(list)
      return EXIT_OK
    }
    const width = Math.max(0, ...list.map((b) => String(b.keys).length))
    for (const b of list) await out.line(`${String(b.keys).padStart(width)}  ${b.name}`)
    return EXIT_OK
  },
}
