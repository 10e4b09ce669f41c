import { BucketState } from '../bucket/bucket-state.js'
import { ReadBucketImpl } from '../bucket/read-bucket.js'
import { WriteBucketImpl } from '../bucket/write-bucket.js'
import { HEADER_SIZE } from '../page/layout.js'
import { Node } from '../tree/node.js'
import { ReadTx } from '../tx/read-tx.js'
import type { Committer } from './committer.js'
import type { DatabaseHooks, ExplicitTxEnd } from './database-hooks.js'

const EMPTY = new Uint8Array(0)
const ONE = new Uint8Array(1)

/**
 * A transaction of each kind on the database being closed, with a bucket handle and a cursor, made
 * as the database makes them and never committed (the write holds one put, which a cursor and an
 * iterator of each kind then visit; the read snapshot is closed at once): what
 * base/shapes.ts keeps for the classes that only a database can make. Made while the database is
 * open (Database.#noteTransaction, kept by the database) and by close() after its checkpoint (kept
 * for the process); they hold nothing of the file's (an empty tree of their own, the last
 * checkpoint's meta without the commits since, the database's hooks, whose page cache close()
 * then empties).
 */
export function databaseShapes(hooks: DatabaseHooks, committer: Committer, end: ExplicitTxEnd): object[] | undefined {
  try {
    return makeShapes(hooks, committer, end)
  } catch {
    // What they are for is speed alone: a close never fails for them (none are kept then).
    return undefined
  }
}

function makeShapes(hooks: DatabaseHooks, committer: Committer, end: ExplicitTxEnd): object[] {
  const write = committer.newShapeTx(end)
  const group = committer.newShapeTx()
  const state = new BucketState('', EMPTY, null, new Node(true, [], [], [], 0, HEADER_SIZE), 0, false)
  write.overlay.set(state.name, state)
  const writeBucket = new WriteBucketImpl(write, state)
  // A put: the record's entry, the leaf's, and the hint its writer keeps for the next one.
  writeBucket.put(ONE, ONE)
  const writeEntries = writeBucket.entries()
  writeEntries.next()
  const read = new ReadTx(hooks, committer.meta, undefined, true)
  const readBucket = new ReadBucketImpl(read, '', state.root, 1)
  const cursor = readBucket.cursor()
  cursor.first()
  const readEntries = readBucket.entries()
  readEntries.next()
  read.close()
  return [write, group, state, writeBucket, writeEntries, read, readBucket, cursor, readEntries, ...committer.shapes()]
}
