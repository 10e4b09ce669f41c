import { BTreeError, closedError } from '../base/errors.js'
import type { Durability } from '../base/types.js'
import { replayOps } from './replay.js'
import type { WriteTx } from './write-tx.js'
import { keepShapes } from '../base/shapes.js'

/** Update callbacks that queue together share one commit (and one fsync), up to this many. */
const GROUP_LIMIT = 256

/** An update callback queued, or a `beginWrite()` waiting for the writer (one shape for both). */
class Request {
  /** Whether the callback threw, and what it returned or threw (set by #runGroup: no object per result). */
  failed = false
  outcome: unknown = undefined
  readonly resolve: (value: unknown) => void
  readonly reject: (err: unknown) => void

  constructor(
    readonly run: (tx: WriteTx) => unknown,
    readonly durability: Durability,
    /** A `beginWrite()` waiting for the writer, rather than an update callback. */
    readonly explicit: boolean,
  ) {
    this.resolve = capturedResolve
    this.reject = capturedReject
    // Taken, and not kept here too: a resolving function keeps its promise, and so its result,
    // alive. The last one, kept for the process, held the WriteTx that the last beginWrite()
    // resolved with (db.checkpoint() and close() take the writer so), and with it the state that
    // transaction began on: after a checkpoint, the leaves' pages it had just written, ~24 MiB
    // after 40,000 puts of 500 bytes, until the next request (integration/database.test.ts).
    capturedResolve = capturedReject = NOTHING
  }
}

const NOTHING = (): void => {}

/**
 * The resolving functions of the promise just made with `new Promise(capture)`: one executor for
 * every request, so a queued update allocates no closure (and context) of its own for it.
 */
let capturedResolve: (value: unknown) => void = NOTHING
let capturedReject: (err: unknown) => void = NOTHING
function capture(resolve: (value: unknown) => void, reject: (err: unknown) => void): void {
  capturedResolve = resolve
  capturedReject = reject
}

const explicitRun = (): undefined => undefined

/** What #schedulePump reacts to. */
const SETTLED = Promise.resolve()

/** What the queue needs from its database. */
export interface WriterHost {
  /** A write transaction on the newest commit. */
  newWriteTx(): WriteTx
  /**
   * Commits `tx` and publishes it (the database's committer, db/committer.ts). `written` is called
   * when the next write transaction may begin, before the commit's sync completes. `alone`: nothing
   * is queued for the writer, so there is no next group to overlap with the commit's sync.
   */
  commit(tx: WriteTx, durable: boolean, alone: boolean, written?: () => void): Promise<void>
  isClosed(): boolean
  /**
   * Whether a durable commit made now, with nothing queued behind it, would sync on the caller's
   * thread and publish at once (then its transaction may edit in place, WriteTx.adopt).
   */
  syncsInline(): boolean
  /** Lets `tx`, whose commit will sync, write its record ahead as it grows (FORMAT.md §11, "Streamed records"). */
  streamRecord(tx: WriteTx): void
}

/**
 * The single writer: who holds it, and who waits. `update` callbacks queue and never fail for being
 * busy; those that queue together run in one write transaction and share one commit and one fsync
 * (group commit); one that throws is undone alone (#runGroup). A waiting
 * `beginWrite()` gets the writer to itself.
 */
export class WriterQueue {
  readonly #host: WriterHost
  readonly #queue: Request[] = []
  /** The write transaction holding the writer: an explicit one, or one running queued updates. */
  #writer: WriteTx | undefined
  /** The newest group's commit; groups settle in order, so it settles last. */
  #commitInFlight: Promise<unknown> | undefined
  /** Groups begun whose commits have not settled (callbacks running, or the sync). */
  #groups = 0
  #pumpScheduled = false
  #pumpNextTurnPending = false

  constructor(host: WriterHost) {
    this.#host = host
  }

  /** Whether a writer is active or work is queued. */
  get busy(): boolean {
    return this.#writer !== undefined || this.#queue.length > 0 || this.#commitInFlight !== undefined
  }

  /** Queues an update callback; the promise settles once its group's commit does. */
  update(run: (tx: WriteTx) => unknown, durability: Durability): Promise<unknown> {
    const promise = new Promise(capture)
    this.#queue.push(new Request(run, durability, false))
    this.#schedulePump()
    return promise
  }

  /** The writer for an explicit transaction, once it is free. */
  beginWrite(durability: Durability): Promise<WriteTx> {
    const promise = new Promise(capture) as Promise<WriteTx>
    this.#queue.push(new Request(explicitRun, durability, true))
    this.#schedulePump()
    return promise
  }

  /** The writer now, for `begin({ writable: true })`; BTREE_BUSY when it is taken or awaited. */
  beginNow(durable: boolean): WriteTx {
    if (this.busy)
      throw new BTreeError('BTREE_BUSY', 'a write transaction is in progress; use beginWrite() to wait for it')
    this.#writer = this.#host.newWriteTx()
    if (durable) this.#host.streamRecord(this.#writer)
    // Snapshots, checkpoints and its commit detach what it edits in place (WriteTx.adopt).
    this.#writer.inPlace = true
    return this.#writer
  }

  /** Commits the explicit transaction holding the writer, then frees the writer. */
  async commitExplicit(tx: WriteTx, durable: boolean): Promise<void> {
    if (this.#writer !== tx) throw new BTreeError('BTREE_TX_CLOSED', 'the transaction is closed')
    tx.markClosed()
    try {
      await this.#host.commit(tx, durable, this.#queue.length === 0)
    } finally {
      // Not published (the commit failed): what it edited in place is given back (WriteTx.adopt).
      tx.restoreAdopted()
      this.#writer = undefined
      this.#pump()
    }
  }

  /** Frees the writer after an explicit transaction's rollback. */
  release(tx: WriteTx): void {
    if (this.#writer === tx) {
      this.#writer = undefined
      this.#pump()
    }
  }

  /** Waits until nothing is queued or running; an explicit transaction left open is rolled back. */
  async drain(): Promise<void> {
    while (this.busy) {
      await this.#commitInFlight?.catch(() => {})
      if (this.#writer !== undefined && this.#commitInFlight === undefined) this.#writer.close()
      await new Promise((r) => setImmediate(r))
    }
  }

  /**
   * Starts the queue after the current microtasks: every update() called in the same turn (64
   * callers resuming from one group commit, say) joins one group instead of the first going alone.
   */
  #schedulePump(): void {
    if (this.#pumpScheduled) return
    this.#pumpScheduled = true
    // A reaction to a settled promise, not queueMicrotask: the same microtask queue, without the
    // AsyncResource that Node makes per queueMicrotask call (whose class's map then came and went
    // with the bursts of updates, taking this path's optimized code with it: base/shapes.ts).
    void SETTLED.then(this.#pumpNow)
  }

  readonly #pumpNow = (): void => {
    this.#pumpScheduled = false
    this.#pump()
  }

  /**
   * One pending setImmediate at most: commits that never wait on I/O (durability 'none') resolve
   * in microtasks, so a caller awaiting update after update never lets the event loop reach its
   * immediates, and one per commit piled up (20,000 closures, contexts and promises after 20,000
   * updates, copied by every scavenge). The pump is idempotent: a single pending one does.
   */
  #pumpNextTurn(): void {
    if (this.#pumpNextTurnPending) return
    this.#pumpNextTurnPending = true
    setImmediate(() => {
      this.#pumpNextTurnPending = false
      this.#pump()
    })
  }

  /** Starts the next queued work when the writer is free. */
  #pump(): void {
    if (this.#writer !== undefined || this.#queue.length === 0) return
    const first = this.#queue[0]!
    if (first.explicit) {
      this.#queue.shift()
      if (this.#host.isClosed()) {
        first.reject(closedError())
        this.#pump()
        return
      }
      this.#writer = this.#host.newWriteTx()
      this.#writer.inPlace = true
      if (first.durability === 'full') this.#host.streamRecord(this.#writer)
      first.resolve(this.#writer)
      return
    }
    // The updates up to the first explicit request, taken in one splice (not a shift each).
    let count = 0
    const limit = Math.min(GROUP_LIMIT, this.#queue.length)
    while (count < limit && !this.#queue[count]!.explicit) count++
    const group = this.#queue.splice(0, count)
    const tx = this.#host.newWriteTx()
    tx.managed = true
    this.#writer = tx
    this.#groups++
    // One reaction for both outcomes (no closure or promise of its own per commit).
    this.#commitInFlight = this.#runGroup(tx, group).then(this.#groupDone, this.#groupFailed)
  }

  /** Frees the writer once a group's record is written: the next group runs while it syncs. */
  #written(tx: WriteTx): void {
    if (this.#writer !== tx) return
    this.#writer = undefined
    // With nothing queued there is nothing to start: an update() queued later schedules its own pump.
    if (this.#queue.length > 0) this.#schedulePump()
  }

  /**
   * The writer is freed (if the commit did not free it once written, #written) before the callers' promises settle, so code resuming after
   * `await db.update(...)` can begin a write transaction without BTREE_BUSY. Then one turn of the
   * event loop is waited: callers whose commits just resolved queue their next updates in the
   * microtasks that follow, and then all of them share the next commit.
   */
  readonly #groupDone = (settle: () => void): void => {
    if (--this.#groups === 0) this.#commitInFlight = undefined
    settle()
    // With nothing queued, no turn is waited for (one setImmediate less per commit): the callers
    // resuming from settle() queue their updates afterwards, and update() schedules its own pump.
    if (this.#queue.length > 0) this.#pumpNextTurn()
  }

  readonly #groupFailed = (err: unknown): never => {
    if (--this.#groups === 0) this.#commitInFlight = undefined
    this.#pumpNextTurn()
    throw err
  }

  /**
   * Runs and commits a group; returns the function that settles the callers' promises. A callback
   * that throws is undone alone: the transaction is reset to its base and the ops the callbacks
   * before it recorded are replayed into it (tx/replay.ts), so callbacks that succeed pay for no
   * savepoint (an undo record per put: ~7% of a 64-update group's time). Every callback of a group
   * is handed the same transaction object, undo or not.
   */
  async #runGroup(tx: WriteTx, group: Request[]): Promise<() => void> {
    let durable = false
    let changed = false
    let broken = false
    let groupError: unknown
    tx.record.expect(group.length)
    // Nodes of earlier commits may be edited in place (WriteTx.adopt) when nothing of the group
    // syncs, or when it is the only group in flight and nothing is queued behind it, so that its
    // commit syncs on this thread and publishes at once (Committer.syncsInline): a commit synced
    // on the thread pool frees the writer before its sync, which can fail and take it back, and
    // readers may begin meanwhile. The committer detaches the nodes when the commit does not go
    // that way after all (a callback queued more updates, or a checkpoint began).
    tx.inPlace = true
    for (const req of group) if (req.durability !== 'none') tx.inPlace = false
    if (!tx.inPlace) this.#host.streamRecord(tx)
    if (!tx.inPlace && this.#groups === 1 && this.#queue.length === 0 && this.#host.syncsInline()) tx.inPlace = true
    for (let i = 0; i < group.length; i++) {
      const req = group[i]!
      if (broken) {
        req.failed = true
        req.outcome = groupError
        continue
      }
      const before = tx.record.count
      const version = tx.version
      try {
        let value = req.run(tx)
        if (value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function') {
          // Snapshots and checkpoints may begin while it waits: the published state must be whole.
          tx.detachAdopted()
          value = await value
        }
        // Savepoints the callback left open end with it: the next callback cannot roll back into it.
        tx.releaseSavepoints()
        req.outcome = value
        if (req.durability === 'full') durable = true
        changed = true
      } catch (error) {
        req.failed = true
        req.outcome = error
        // Alone, or last with nothing done before it: nothing is committed, nothing to undo.
        if (!changed && i === group.length - 1) continue
        // No write began (each bumps the version, as does a rollback to a savepoint): nothing to
        // undo, and the handles the callbacks before it took stay usable. A statement refused by a
        // check before it writes (kysely-btree's constraints) costs the group no replay.
        if (tx.version === version) {
          tx.releaseSavepoints()
          continue
        }
        try {
          this.#undoLast(tx, before, group.length)
        } catch (err) {
          // The database is closing, or a page could not be read: nothing of the group is committed.
          broken = true
          groupError = err
        }
      }
    }
    if (broken) {
      for (const req of group) {
        if (req.failed) continue
        req.failed = true
        req.outcome = groupError
      }
      changed = false
    }
    let commitError: unknown
    tx.markClosed()
    try {
      if (changed && tx.hasChanges())
        await this.#host.commit(tx, durable, this.#queue.length === 0, () => this.#written(tx))
    } catch (err) {
      commitError = err
    } finally {
      // Not published (nothing to commit, or the commit failed): the nodes edited in place get
      // their published state back. A no-op once published (mergeDirty).
      tx.restoreAdopted()
      // Groups settle in order (the committer publishes in order), so the writer is this group's
      // only when it was not freed early.
      if (this.#writer === tx) this.#writer = undefined
    }
    return () => {
      for (const req of group) {
        if (req.failed) req.reject(req.outcome)
        else if (commitError !== undefined) req.reject(commitError)
        else req.resolve(req.outcome)
      }
    }
  }

  /**
   * `tx` without the ops of the callback that just threw: reset to its base (the same object, so
   * callers that know the group's transaction by identity still do) and the first `count` ops of
   * its record replayed into it.
   */
  #undoLast(tx: WriteTx, count: number, expected: number): void {
    const undone = tx.reset()
    tx.record.expect(expected)
    if (count > 0) replayOps(tx, undone, count)
  }
}

// base/shapes.ts: a request is garbage once its update settles, and so is Node's Immediate (the
// turn #pumpNextTurn waits for) once it has run: one of each (that immediate cleared at once).
const IMMEDIATE = setImmediate(explicitRun)
clearImmediate(IMMEDIATE)
keepShapes('tx/writer-queue', [new Request(explicitRun, 'full', true), IMMEDIATE])
