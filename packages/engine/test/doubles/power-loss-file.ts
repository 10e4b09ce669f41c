import type { FileHandle, FileSystem } from '../../src/io/file-handle.js'
import { MemoryFile } from '../../src/io/memory-file.js'
import { Prng } from '../../src/io/prng.js'

/**
 * What survives a simulated power loss, on top of the durable image:
 * - `'drop-all'`: none of the writes since the last sync (the disk cache was lost);
 * - `'keep-all'`: all of them, whole and in order (the cache was flushed just in time);
 * - `'random'`: a seeded random subset, applied in a random order, some of them torn.
 */
export type CrashMode = 'drop-all' | 'keep-all' | 'random'

export interface CrashImageOptions {
  mode: CrashMode
  /** Seed of the `'random'` choice (default 1); the same seed and file give the same image. */
  seed?: number
  /** Chance that each unsynced write survives at all (default 0.5). `'random'` only. */
  keepProbability?: number
  /**
   * Chance that a surviving write is torn (default 0.2): each of its sectors then survives or not on
   * its own, with even odds. `'random'` only.
   */
  tearProbability?: number
}

/** The operations a crash can be scheduled at. `'any'` counts writes and syncs together. */
export type CrashKind = 'write' | 'sync' | 'truncate' | 'any'

/** Operations counted by a PowerLossFile. */
export interface PowerLossCounts {
  read: number
  write: number
  sync: number
  truncate: number
}

export interface PowerLossFileOptions {
  /** The disk's atomic write unit in bytes (default 512); sectors are aligned to file offsets. */
  sectorSize?: number
  /** A clock shared with other files on the same disk: a crash it schedules stops all of them. */
  clock?: CrashClock
  /**
   * Whether `sync()` completes a turn of the event loop later (as fdatasync on the thread pool
   * does), making durable the writes made before it was called, not those made while it runs.
   * Default false: durable at once.
   */
  slowSync?: boolean
}

/**
 * Writes and syncs counted across every file of one disk (a database and its journal), so that a
 * crash can be scheduled at the nth of them whichever file it hits, and, like a power loss, stops
 * every file at once.
 */
export class CrashClock {
  /** Writes and syncs begun on any file of the disk. */
  ops = 0
  at: number | undefined
  reason: string | undefined

  /** Crashes every file when the `n`th write or sync (counted by `ops`, 1-based) begins. */
  crashAt(n: number): void {
    if (!Number.isInteger(n) || n <= this.ops)
      throw new RangeError(`crash point ${n} has already begun (${this.ops} so far)`)
    this.at = n
  }

  /** After the power comes back: no crash pending. */
  reset(): void {
    this.at = undefined
    this.reason = undefined
  }
}

interface PendingWrite {
  /** The write's number on this file, counted from 1: a sync covers those numbered up to its start. */
  readonly seq: number
  readonly position: number
  readonly data: Uint8Array
}

/** Whether `err`, or an error in its `cause` chain (the engine wraps I/O errors), is a simulated crash. */
export function isCrash(err: unknown): boolean {
  for (let e = err, depth = 0; e != null && depth < 16; depth++) {
    if ((e as { code?: unknown }).code === 'ECRASH') return true
    e = (e as { cause?: unknown }).cause
  }
  return false
}

/**
 * A file on a disk with a volatile write cache. It keeps the durable image (what a power loss
 * cannot take) and the unsynced writes in the order they were made; reads see all of them, as
 * reads through the OS page cache do. `sync()` makes every earlier write durable.
 *
 * Truncation is durable at once: file systems journal size changes as metadata, and a test that
 * needs the opposite can crash just before the truncate. Unsynced writes past the new size are
 * cut off, since they can no longer reappear.
 *
 * `crashImage()` is what the disk may hold after a power loss now; `crashAt()` freezes the file at
 * a chosen operation so a workload can be stopped at each of its crash points in turn.
 */
export class PowerLossFile implements FileHandle {
  readonly sectorSize: number
  closed = false
  /** Of the syncs counted, those made on the caller's thread (`syncSync`), the crashing one included. */
  inlineSyncs = 0
  /**
   * Invariant: `#durable` with every write of `#pending` applied in order equals `#current`, but
   * for the writes a failed writeback lost (loseWritesAtNextSync), which reads still see.
   */
  readonly #durable: MemoryFile
  readonly #current: MemoryFile
  #pending: PendingWrite[] = []
  /** Writes made so far (PendingWrite.seq). */
  #writes = 0
  /** Asynchronous syncs begun and not yet finished (`slowSync`). */
  #syncing = 0
  /**
   * Asynchronous syncs begun while another one of this file still ran (`slowSync`): a pipelined
   * group commit's sync, begun while the group before it syncs.
   */
  overlappingSyncs = 0
  /** startWriteback() calls: a record streamed ahead of its commit (FORMAT.md §11) asks for one per write. */
  writebacks = 0
  /**
   * What the file answers to FileHandle.writesAhead (whether its device takes writebacks ahead of
   * a sync). Unset, it answers nothing, as a file with no such policy: records stream.
   */
  writesAhead?: boolean
  #counts: PowerLossCounts = { read: 0, write: 0, sync: 0, truncate: 0 }
  #crashPlan: { kind: CrashKind; n: number } | undefined
  /** loseWritesAtNextSync() was called and no sync has run since. */
  #loseAtSync = false
  /** The sync (its number in `counts.sync`) that loseWritesAtSync() armed. */
  #loseAt: number | undefined
  #crashReason: string | undefined
  readonly #clock: CrashClock | undefined
  readonly #slowSync: boolean

  constructor(initial?: Uint8Array, options: PowerLossFileOptions = {}) {
    const sectorSize = options.sectorSize ?? 512
    if (!Number.isInteger(sectorSize) || sectorSize < 1) {
      throw new RangeError(`sectorSize must be a positive integer, got ${sectorSize}`)
    }
    this.sectorSize = sectorSize
    this.#clock = options.clock
    this.#slowSync = options.slowSync === true
    this.#durable = new MemoryFile(initial)
    this.#current = new MemoryFile(initial)
  }

  /** Operations begun since creation, including the one that crashed. */
  get counts(): Readonly<PowerLossCounts> {
    return { ...this.#counts }
  }

  /** True once a scheduled crash fired or `crash()` was called; every later operation throws ECRASH. */
  get crashed(): boolean {
    return this.#crashReason !== undefined
  }

  /** Unsynced writes: what a power loss now could lose. */
  get pendingWrites(): number {
    return this.#pending.length
  }

  /** The contents as reads see them: every write so far. */
  bytes(): Uint8Array {
    return this.#current.bytes()
  }

  /** The contents that survive any power loss: every write up to the last sync. */
  durableBytes(): Uint8Array {
    return this.#durable.bytes()
  }

  /**
   * Crashes when the `n`th operation of `kind` begins (1-based, counted from creation like
   * `counts`; for `'any'`, the nth write or sync). That operation has no effect and it, and every
   * later read, write, sync or truncate, throws an Error with code 'ECRASH'. `size()` and `close()`
   * keep working so the caller can clean up. Replaces any earlier plan.
   */
  crashAt(kind: CrashKind, n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`crashAt needs an operation number >= 1, got ${n}`)
    if (n <= this.#countOf(kind)) {
      throw new RangeError(`${kind} operation ${n} has already begun (${this.#countOf(kind)} so far)`)
    }
    this.#crashPlan = { kind, n }
  }

  /** Crashes now: every later operation throws ECRASH. */
  crash(): void {
    this.#crashReason ??= 'crash()'
  }

  /**
   * The bytes the disk may hold after a power loss now: the durable image plus the unsynced writes
   * that `options` keeps. Sectors are all-or-nothing: a torn write keeps some whole sectors and
   * loses the others (the first and last may be partly covered by the write; their covered part is
   * the unit). The file grows only as far as the surviving pieces reach. O(size + pending bytes).
   */
  crashImage(options: CrashImageOptions): Uint8Array {
    switch (options.mode) {
      case 'drop-all':
        return this.#durable.bytes()
      case 'keep-all':
        return this.#current.bytes()
      case 'random':
        return this.#randomImage(options)
      default:
        throw new RangeError(`unknown crash mode ${String((options as { mode: unknown }).mode)}`)
    }
  }

  readSync(buffer: Uint8Array, offset: number, length: number, position: number): number {
    this.#begin('read')
    return this.#current.readSync(buffer, offset, length, position)
  }

  async writev(buffers: readonly Uint8Array[], position: number): Promise<void> {
    this.writevSync(buffers, position)
  }

  writevSync(buffers: readonly Uint8Array[], position: number): void {
    this.#begin('write')
    let total = 0
    for (const b of buffers) total += b.byteLength
    // Copied: the caller may reuse its buffers, but the cache holds what was written at the time.
    const data = new Uint8Array(total)
    let at = 0
    for (const b of buffers) {
      data.set(b, at)
      at += b.byteLength
    }
    this.#current.writeNow(data, position)
    if (total > 0) this.#pending.push({ seq: ++this.#writes, position, data })
  }

  /**
   * The disk fails the writeback of every write not yet synced, as Linux reports it: the next sync
   * (either form) fails with EIO, those writes never reach the durable image (what survives a power
   * loss, and what a reopen of `durableBytes()` reads), and reads go on seeing them (the cache
   * keeps the pages, marked clean). A later sync says nothing of them: the error is reported once.
   */
  loseWritesAtNextSync(): void {
    this.#loseAtSync = true
  }

  /** As loseWritesAtNextSync(), at the `n`th sync of this file (1-based, counted like `counts.sync`). */
  loseWritesAtSync(n: number): void {
    if (!Number.isInteger(n) || n <= this.#counts.sync)
      throw new RangeError(`sync ${n} has already begun (${this.#counts.sync} so far)`)
    this.#loseAt = n
  }

  /** The sync loseWritesAtNextSync() armed: drops the unsynced writes and throws EIO. */
  #lostWriteback(): void {
    this.#loseAtSync = false
    this.#loseAt = undefined
    this.#pending = []
    throw Object.assign(new Error('EIO: i/o error, fdatasync (a simulated failed writeback)'), {
      code: 'EIO',
      errno: -5,
      syscall: 'fdatasync',
    })
  }

  async sync(): Promise<void> {
    this.#begin('sync')
    if (this.#loseAtSync || this.#counts.sync === this.#loseAt) this.#lostWriteback()
    const covered = this.#writes
    if (this.#slowSync) {
      if (this.#syncing++ > 0) this.overlappingSyncs++
      try {
        await new Promise((resolve) => setImmediate(resolve))
      } finally {
        this.#syncing--
      }
      // The power went while the sync ran (on any file of the disk): it never completed.
      this.#crashReason ??= this.#clock?.reason
      if (this.#crashReason !== undefined) throw this.#crashError('sync')
    }
    this.#makeDurable(covered)
  }

  /**
   * A hint that makes nothing durable here: a crash image may keep any subset of the unsynced
   * writes already (some torn), which covers whatever a writeback the disk began had reached.
   * Counted, so that tests know records were streamed.
   */
  startWriteback(): void {
    this.writebacks++
  }

  /** A sync on the caller's thread completes on return, `slowSync` or not; a crash stops it before it begins. */
  syncSync(): void {
    this.inlineSyncs++
    this.#begin('sync')
    if (this.#loseAtSync || this.#counts.sync === this.#loseAt) this.#lostWriteback()
    this.#makeDurable(this.#writes)
  }

  /**
   * The unsynced writes numbered up to `upTo` reach the durable image: those made before a sync
   * began, not those made while it ran (a sync on the caller's thread may have covered some).
   */
  #makeDurable(upTo: number): void {
    let n = 0
    while (n < this.#pending.length && this.#pending[n]!.seq <= upTo) n++
    for (const w of this.#pending.splice(0, n)) this.#durable.writeNow(w.data, w.position)
  }

  size(): number {
    return this.#current.size()
  }

  async truncate(size: number): Promise<void> {
    this.#begin('truncate')
    this.#current.truncateNow(size)
    this.#durable.truncateNow(size)
    this.#pending = this.#pending
      .filter((w) => w.position < size)
      .map((w) =>
        w.position + w.data.byteLength <= size
          ? w
          : { seq: w.seq, position: w.position, data: w.data.subarray(0, size - w.position) },
      )
  }

  async close(): Promise<void> {
    this.closed = true
  }

  #countOf(kind: CrashKind): number {
    return kind === 'any' ? this.#counts.write + this.#counts.sync : this.#counts[kind]
  }

  /** Counts the operation, then fires a scheduled crash; runs before the operation has any effect. */
  #begin(op: keyof PowerLossCounts): void {
    this.#counts[op]++
    const clock = this.#clock
    if (clock !== undefined && this.#crashReason === undefined) {
      if (op === 'write' || op === 'sync') {
        clock.ops++
        if (clock.reason === undefined && clock.at === clock.ops) clock.reason = `${op} #${clock.ops} on the disk`
      }
      if (clock.reason !== undefined) this.#crashReason = clock.reason
    }
    const plan = this.#crashPlan
    if (!this.crashed && plan && (plan.kind === op || (plan.kind === 'any' && op !== 'read' && op !== 'truncate'))) {
      if (this.#countOf(plan.kind) === plan.n) {
        this.#crashReason = `${op} #${this.#counts[op]}`
        // The power is gone for every file of the disk.
        if (clock !== undefined) clock.reason ??= this.#crashReason
      }
    }
    if (this.#crashReason !== undefined) throw this.#crashError(op)
  }

  #crashError(op: string): Error {
    return Object.assign(new Error(`ECRASH: simulated power loss at ${this.#crashReason}; ${op} refused`), {
      code: 'ECRASH',
    })
  }

  #randomImage(options: CrashImageOptions): Uint8Array {
    const keep = probability('keepProbability', options.keepProbability ?? 0.5)
    const tear = probability('tearProbability', options.tearProbability ?? 0.2)
    const prng = new Prng(options.seed ?? 1)
    const image = new MemoryFile(this.#durable.bytes())
    const order = prng.shuffle(this.#pending.map((_, i) => i))
    for (const i of order) {
      if (!prng.bool(keep)) continue
      const w = this.#pending[i]!
      if (!prng.bool(tear)) {
        image.writeNow(w.data, w.position)
        continue
      }
      for (const [from, to] of this.#sectorPieces(w)) {
        if (prng.bool()) image.writeNow(w.data.subarray(from, to), w.position + from)
      }
    }
    return image.bytes()
  }

  /** The write's byte ranges, relative to its start, split at the file's sector boundaries. */
  #sectorPieces(w: PendingWrite): Array<[number, number]> {
    const pieces: Array<[number, number]> = []
    const end = w.position + w.data.byteLength
    for (let at = w.position; at < end;) {
      const next = Math.min(end, (Math.floor(at / this.sectorSize) + 1) * this.sectorSize)
      pieces.push([at - w.position, next - w.position])
      at = next
    }
    return pieces
  }
}

export interface PowerLossFileSystemOptions extends PowerLossFileOptions {
  /**
   * Called when `open` creates a file, before the caller can touch it: the place to `crashAt()` a
   * workload that starts by creating its database.
   */
  onCreate?: (file: PowerLossFile, path: string) => void
}

/**
 * A file system of PowerLossFiles by path. Like a disk, the files outlive their handles: opening a
 * path again returns the same file, crashed or not, until `reopenAfterCrash` replaces it with what
 * the disk holds after the power loss.
 */
export class PowerLossFileSystem implements FileSystem {
  readonly files = new Map<string, PowerLossFile>()
  /** Writes and syncs across all the files; `clock.crashAt(n)` crashes them all at once. */
  readonly clock = new CrashClock()
  onCreate: ((file: PowerLossFile, path: string) => void) | undefined
  readonly #sectorSize: number | undefined
  readonly #slowSync: boolean | undefined

  constructor(options: PowerLossFileSystemOptions = {}) {
    this.#sectorSize = options.sectorSize
    this.#slowSync = options.slowSync
    this.onCreate = options.onCreate
  }

  open(path: string, options: { readOnly: boolean; create: boolean }): PowerLossFile {
    let file = this.files.get(path)
    if (!file) {
      if (!options.create) {
        throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' })
      }
      file = new PowerLossFile(undefined, { sectorSize: this.#sectorSize, clock: this.clock, slowSync: this.#slowSync })
      this.files.set(path, file)
      this.onCreate?.(file, path)
    }
    file.closed = false
    return file
  }

  exists(path: string): boolean {
    return this.files.has(path)
  }

  /** Syncs made on the caller's thread (`syncSync`) by every file of the disk, crashing ones included. */
  get inlineSyncs(): number {
    let n = 0
    for (const f of this.files.values()) n += f.inlineSyncs
    return n
  }

  /** Asynchronous syncs begun while another of the same file ran, over every file (PowerLossFile.overlappingSyncs). */
  get overlappingSyncs(): number {
    let n = 0
    for (const f of this.files.values()) n += f.overlappingSyncs
    return n
  }

  /** startWriteback() calls over every file (PowerLossFile.writebacks). */
  get writebacks(): number {
    let n = 0
    for (const f of this.files.values()) n += f.writebacks
    return n
  }

  /**
   * startWriteback() calls on the journal files (`<path>-journal`, `<path>-journal2`): records
   * streamed ahead of their commits, not the database file's writebacks of leaves written ahead.
   */
  get journalWritebacks(): number {
    let n = 0
    for (const [path, f] of this.files) if (/-journal2?$/.test(path)) n += f.writebacks
    return n
  }

  /** The file at `path`. */
  file(path: string): PowerLossFile {
    const file = this.files.get(path)
    if (!file) throw Object.assign(new Error(`ENOENT: no such file '${path}'`), { code: 'ENOENT' })
    return file
  }

  /**
   * Simulates the power coming back: the file at `path` (crashed or not) is replaced by a fresh one
   * whose durable image is its `crashImage(options)`, with nothing pending and counts at zero.
   * The old file is crashed too, so a handle that outlived the power loss fails with ECRASH
   * instead of showing bytes the disk no longer holds; open the path again.
   */
  reopenAfterCrash(path: string, options: CrashImageOptions): PowerLossFile {
    const old = this.file(path)
    const image = old.crashImage(options)
    old.crash()
    const fresh = new PowerLossFile(image, {
      sectorSize: this.#sectorSize,
      clock: this.clock,
      slowSync: this.#slowSync,
    })
    this.files.set(path, fresh)
    // Power is back: a crash that stopped the disk is over (other files keep their own state).
    this.clock.reset()
    return fresh
  }

  /**
   * The power comes back for the whole disk: every file is replaced as by `reopenAfterCrash`, each
   * with its own random choice (the seed offset by its position), and the shared clock is reset.
   */
  reopenAllAfterCrash(options: CrashImageOptions): void {
    let i = 0
    for (const path of [...this.files.keys()]) {
      this.reopenAfterCrash(
        path,
        options.mode === 'random' ? { ...options, seed: ((options.seed ?? 1) + 7919 * i++) >>> 0 } : options,
      )
    }
    this.clock.reset()
  }
}

function probability(name: string, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${name} must be between 0 and 1, got ${p}`)
  return p
}
