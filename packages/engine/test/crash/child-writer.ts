/**
 * A child process for the crash tests, run as `node dist/test/crash/child-writer.js <mode> <path>`.
 *
 * - `write`: opens the database (a real file, the real lock) and commits in a loop, one key per
 *   commit with durability 'full', writing each commit's sequence number to stdout once its
 *   promise resolves. It continues the sequence found in the file, so a parent can kill it and run
 *   it again. It prints `ready` once open, and never exits on its own: the parent SIGKILLs it.
 * - `open`: tries to open the database for writing and prints `ok` or the error's code, then exits.
 */
import { open } from '../../src/index.js'
import type { FileSystem } from '../../src/io/file-handle.js'
import { nodeFileSystem, openNodeFile } from '../../src/io/node-file.js'
import { childValue, seqKey } from './child-data.js'

/**
 * The real files, as nodeFileSystem opens them, but taking writebacks ahead of every sync whatever
 * the disk's measured policy would choose (FileHandle.writesAhead): the streaming rounds' records
 * then stream at every commit, as on a disk where writebacks ahead pay.
 */
const streamingDisk: FileSystem = {
  open: (p, options) => openNodeFile(p, options, { allows: true, noteSync() {} }),
  exists: (p) => nodeFileSystem.exists(p),
}

const [mode, path] = process.argv.slice(2)
if (path === undefined) throw new Error('usage: child-writer.js write|open <path>')

if (mode === 'open') {
  try {
    const db = await open(path)
    process.stdout.write('ok\n')
    await db.close()
  } catch (err) {
    process.stdout.write(`${String((err as { code?: unknown }).code)}\n`)
  }
} else {
  // SIGKILL rounds alternate: records written at commit only, and streamed ahead in small steps
  // (FORMAT.md §11, "Streamed records"; the child's commits are far below the default 16 KiB).
  const journalStream = Number(process.env['CHILD_JOURNAL_STREAM'] ?? 0)
  const db = await open(path, {
    pageSize: 1024,
    journalStream,
    ...(journalStream > 0 ? { fileSystem: streamingDisk } : {}),
  })
  let seq = db.view((tx) => {
    const c = tx.bucket('log')?.cursor()
    return c !== undefined && c.last() ? Buffer.from(c.key!).readUInt32BE(0) : 0
  })
  process.stdout.write('ready\n')
  for (;;) {
    seq++
    const n = seq
    await db.update((tx) => {
      tx.createBucketIfNotExists('log').put(seqKey(n), childValue(n))
      // Churn: rewrite and delete older keys so commits free and reuse pages, not only append.
      const churn = tx.createBucketIfNotExists('churn')
      churn.put(seqKey(n % 50), childValue(n))
      if (n % 3 === 0) churn.delete(seqKey((n * 7) % 50))
    })
    // Synchronous on a pipe (Linux), so a number printed is a number the parent has received.
    process.stdout.write(`${n}\n`)
  }
}
