import { closedError } from '../base/errors.js'
import type { Durability } from '../base/types.js'
import type { BucketRecord } from '../page/bucket-record.js'
import type { Meta } from '../page/meta-page.js'
import type { Pager } from '../store/pager.js'
import { ReaderRegistry } from '../tx/readers.js'
import type { TxContext } from '../tx/tx-context.js'
import type { WriteTx, WriteTxEnd } from '../tx/write-tx.js'
import type { WriterHost, WriterQueue } from '../tx/writer-queue.js'
import type { Committer } from './committer.js'

/**
 * What a database hands its transactions (TxContext) and its writer queue (WriterHost), as one
 * object whose methods are the class's. They were closures made by each database: V8 inlines a
 * call whose only target so far is one function as that very function (and the database its
 * closure captured), so the commit path's optimized code held the first database's closures,
 * and was thrown away once that database was closed and collected, then again for the next one
 * (base/shapes.ts tells the rest). A class's methods are one function for the whole process.
 */
export class DatabaseHooks implements TxContext, WriterHost {
  readonly readers = new ReaderRegistry()
  /**
   * Set by close(): transactions and commits refuse work from then on. Made false by the
   * constructor, not here: V8 takes a field stored once for a constant, and the code that relied on
   * that (every assertOpen on the write path) was thrown away when the process's first close set it.
   */
  closed = true
  /** The committer, which needs this object to be made (attach). */
  #committer: Committer | undefined = undefined
  #end: WriteTxEnd | undefined = undefined

  constructor(
    readonly pager: Pager,
    readonly pageSize: number,
    readonly maxKeySize: number,
    readonly maxBucketNameSize: number,
  ) {
    this.closed = false
  }

  /** Completes the hooks once the committer and the explicit transactions' end exist. */
  attach(committer: Committer, end: WriteTxEnd): void {
    this.#committer = committer
    this.#end = end
  }

  lookupBucket(meta: Meta, name: string): BucketRecord | undefined {
    return this.#committer!.lookupBucket(meta, name)
  }

  assertOpen(): void {
    if (this.closed) throw closedError()
  }

  newWriteTx(): WriteTx {
    return this.#committer!.newWriteTx(this.#end)
  }

  /** The writer queue's commit: the committer's, while the database is open. */
  commit(tx: WriteTx, durable: boolean, alone: boolean, written?: () => void): Promise<void> {
    if (this.closed) return Promise.reject(closedError())
    return this.#committer!.commit(tx, durable, alone, written)
  }

  isClosed(): boolean {
    return this.closed
  }

  syncsInline(): boolean {
    return this.#committer!.syncsInline()
  }

  streamRecord(tx: WriteTx): void {
    this.#committer!.streamRecord(tx)
  }
}

/** How explicit write transactions commit and end: through the writer queue (as DatabaseHooks, a class). */
export class ExplicitTxEnd implements WriteTxEnd {
  constructor(
    readonly writer: WriterQueue,
    readonly durability: Durability,
  ) {}

  commit(tx: WriteTx, durability: Durability | undefined): Promise<void> {
    return this.writer.commitExplicit(tx, (durability ?? this.durability) === 'full')
  }

  release(tx: WriteTx): void {
    this.writer.release(tx)
  }
}
