import { BTreeError, ioError } from '../base/errors.js'
import type { FileHandle } from '../io/file-handle.js'
import {
  type DecodedRecord,
  RECORD_HEADER,
  type RecordBuilder,
  decodeRecord,
  isJournalEnd,
  peekRecordLength,
} from '../page/journal-record.js'

/** What a scan of the journal found (FORMAT.md §11). */
export interface JournalScan {
  /** The valid records following checkpoint `base`, in order (none kept when a visitor took them). */
  records: DecodedRecord[]
  /** How many valid records the scan took (kept or visited). */
  count: number
  /** The txid of the last of them, if any. */
  lastTxid: number | undefined
  /** The byte offset just past the last valid record: where the next append goes. */
  end: number
  /** Why the scan stopped before the end of the file, if it did: a torn or stale tail. */
  stopped: string | undefined
  /** Bytes of the file past `end` (ignored). */
  skippedBytes: number
  /**
   * Whether the scan stopped at a whole, valid record of an earlier checkpoint: bytes a
   * checkpoint's restart left behind, already in the pages (no commit was lost).
   */
  stale: boolean
}

/**
 * Reads the journal from the start: records are taken while each is whole, passes its checksum,
 * follows checkpoint `base` and has a txid above the one before. The first record that does not
 * ends the journal: a record torn by a crash, or one left from before the last checkpoint.
 * With `visit`, each record taken is handed to it as it is read and not kept (`records` stays
 * empty): a reader that applies them one by one holds one record at a time, not the journal.
 */
export function scanJournal(file: FileHandle, base: number, visit?: (rec: DecodedRecord) => void): JournalScan {
  const size = file.size()
  const records: DecodedRecord[] = []
  let count = 0
  let off = 0
  let last = base
  let stopped: string | undefined
  let stale = false
  const header = Buffer.alloc(RECORD_HEADER)
  const read = (buf: Buffer, pos: number): number => {
    try {
      return file.readSync(buf, 0, buf.length, pos)
    } catch (err) {
      throw ioError(`read of the journal at ${pos}`, err)
    }
  }
  while (off < size) {
    if (size - off < RECORD_HEADER || read(header, off) < RECORD_HEADER) {
      stopped = `torn record header at byte ${off}`
      break
    }
    // Zeros: the terminator after the last record, or space allocated ahead (Journal.write).
    if (isJournalEnd(header)) break
    const length = peekRecordLength(header)
    if (typeof length === 'string') {
      stopped = `record at byte ${off}: ${length}`
      break
    }
    if (length > size - off) {
      stopped = `record at byte ${off} runs past the end of the journal`
      break
    }
    const body = Buffer.allocUnsafe(length)
    if (read(body, off) < length) {
      stopped = `short read at byte ${off}`
      break
    }
    const rec = decodeRecord(body)
    if (typeof rec === 'string') {
      stopped = `record at byte ${off}: ${rec}`
      break
    }
    if (rec.base !== base) {
      stale = rec.base < base
      stopped = `record at byte ${off} follows checkpoint ${rec.base}, not ${base} (left from before a checkpoint)`
      break
    }
    if (rec.txid <= last) {
      stopped = `record at byte ${off}: txid ${rec.txid} not above ${last}`
      break
    }
    last = rec.txid
    count++
    if (visit === undefined) records.push(rec)
    else visit(rec)
    off += length
  }
  return { records, count, lastTxid: count > 0 ? last : undefined, end: off, stopped, skippedBytes: size - off, stale }
}

/** FORMAT.md §11: the journal files of the database at `path`, `<path>-journal` and `<path>-journal2`. */
export function journalPaths(path: string): readonly [string, string] {
  return [`${path}-journal`, `${path}-journal2`]
}

/** One file's part of the journal found at open: its records follow checkpoint `base`. */
export interface JournalSegment {
  /** Which journal file (0: `<path>-journal`, 1: `<path>-journal2`). */
  file: 0 | 1
  base: number
  scan: JournalScan
}

/**
 * Reads the two journal files at open (FORMAT.md §11): the records following the checkpoint
 * `meta` opened, in the file whose first record names it as its base, and then, when the other
 * file's first record names a later base above every one of those records, that file's records
 * too: the commits made while checkpoint `base` ran, which never became durable. In replay order;
 * with `visit`, each record is handed to it as it is read, in that order, and not kept.
 */
export function scanJournals(
  files: readonly [FileHandle, FileHandle | undefined],
  meta: number,
  visit?: (rec: DecodedRecord) => void,
): JournalSegment[] {
  const firsts = files.map((f) => (f === undefined ? undefined : firstBase(f)))
  const cur: 0 | 1 = firsts[0] !== meta && firsts[1] === meta ? 1 : 0
  const segments: JournalSegment[] = [{ file: cur, base: meta, scan: scanJournal(files[cur]!, meta, visit) }]
  const other: 0 | 1 = cur === 0 ? 1 : 0
  const next = firsts[other]
  const last = segments[0]!.scan.lastTxid ?? meta
  const whole = segments[0]!.scan.stopped === undefined || segments[0]!.scan.stale
  if (next !== undefined && next > last) {
    if (whole) segments.push({ file: other, base: next, scan: scanJournal(files[other]!, next, visit) })
    else {
      // Commits that followed a torn record: not replayed, and reported (info().skipped).
      const stopped = `records following checkpoint ${next} ignored: the journal before them ends at a damaged record`
      const skippedBytes = files[other]!.size()
      const scan = { records: [], count: 0, lastTxid: undefined, end: 0, stopped, skippedBytes, stale: false }
      segments.push({ file: other, base: next, scan })
    }
  }
  return segments
}

/** The base of the file's first record, when it is whole and valid. */
function firstBase(file: FileHandle): number | undefined {
  const header = Buffer.alloc(RECORD_HEADER)
  const size = file.size()
  try {
    if (size < RECORD_HEADER || file.readSync(header, 0, RECORD_HEADER, 0) < RECORD_HEADER) return undefined
    const length = peekRecordLength(header)
    if (typeof length === 'string' || length > size) return undefined
    const body = Buffer.allocUnsafe(length)
    if (file.readSync(body, 0, length, 0) < length) return undefined
    const rec = decodeRecord(body)
    return typeof rec === 'string' ? undefined : rec.base
  } catch (err) {
    throw ioError('read of the journal at 0', err)
  }
}

/**
 * The journal file `<path>-journal` (FORMAT.md §11): commits write records at `end`; 'full'
 * commits sync it; a checkpoint restarts it at 0.
 *
 * The file is allocated ahead in zeros for the appends that are synced, and each append writes a
 * terminator of zeros after its record (in the same write). An fdatasync after an append that only
 * overwrites bytes already in the file need not allocate blocks or commit a new file size: ~30 %
 * cheaper here for a small append (0.12 against 0.18 ms, ../shared/PERFORMANCE.md), and for the
 * ~122 KB records of an ascending fill 0.17–0.2 against 0.26–0.32 ms (bare loops of appends and
 * fdatasyncs, issue 9). The terminator is what ends a scan: a restart keeps the file and its
 * allocation, so older records lie past the new ones.
 */
export class Journal {
  readonly file: FileHandle
  /** Where the next record goes. */
  end: number
  /** Records since the last checkpoint. */
  records: number
  /** Bytes of the file known to exist (zeros or older records past `end`). */
  #allocated: number
  /** The truncate startRelease() began, which the next write waits for; settles, never rejects. */
  #releasing: Promise<void> | undefined
  /** The record streamed ahead of its write (stream()), and the `end` it was streamed at. */
  #streaming: RecordBuilder | undefined
  #streamAt = 0
  /** The error a write of the streamed record met: its commit fails with it (write()). */
  #streamError: unknown
  /** cutBack()'s truncates running: nothing is streamed meanwhile (it could be cut off). */
  #truncating = 0
  /**
   * Bytes appended since the last sync or writeback by commits that do not sync ('none'): past
   * UNSYNCED_WRITEBACK, a writeback starts (FORMAT.md §11, "'none' appends").
   */
  #unsynced = 0

  constructor(file: FileHandle, end: number, records: number) {
    this.file = file
    this.end = end
    this.records = records
    this.#allocated = file.size()
  }

  /**
   * Writes one record of `length` bytes, given as buffers written back to back, and its
   * terminator at `end`, and moves `end` past it; no sync (a 'full' commit then calls sync(), and
   * the next record may be written while that sync runs: Committer's pipelined group commit).
   * `synced`: the record will be synced (a 'full' commit), so the file is allocated ahead
   * (zerosAhead) when the record passes its end.
   * `builder`: the RecordBuilder that made the record; the bytes it streamed here (stream()) are
   * not written again, and a streamed write that failed fails this one.
   * Returns undefined when the record is written on return (up to `onReturn` bytes, by default
   * SYNC_WRITE_LIMIT), else the promise of the write. On failure nothing changes in memory and the
   * file is cut back.
   */
  write(
    record: readonly Uint8Array[],
    length: number,
    synced: boolean,
    builder?: RecordBuilder,
    onReturn: number = SYNC_WRITE_LIMIT,
  ): Promise<void> | undefined {
    // A record written before the truncate would be cut off by it.
    if (this.#releasing !== undefined)
      return this.#releasing.then(() => this.write(record, length, synced, builder, onReturn))
    // The bytes stream() wrote of this record, at this end: not written again.
    const streamed = builder !== undefined && builder === this.#streaming && this.#streamAt === this.end
    const skip = streamed ? builder.streamed : 0
    const failed = this.#streamError
    this.#forgetStream()
    // A write of the record failed as it streamed: the commit fails as if its append had.
    if (streamed && failed !== undefined) return this.cutBack(this.end, this.records).then(() => Promise.reject(failed))
    const after = this.end + length
    const zeros = ZEROS.subarray(0, synced ? zerosAhead(this.end, after, this.#allocated) : TERMINATOR)
    const parts: WritePart[] =
      skip === 0
        ? [{ buffers: [...record, zeros], at: this.end }]
        : [
            { buffers: [record[0]!], at: this.end },
            { buffers: [...skipBytes(record, 1, skip), zeros], at: this.end + RECORD_HEADER + skip },
          ]
    if (length > onReturn) return this.#writeAsync(parts, after, zeros.length, synced)
    try {
      for (const part of parts) this.file.writevSync(part.buffers, part.at)
    } catch (err) {
      return this.cutBack(this.end, this.records).then(() => Promise.reject(err))
    }
    this.#appended(after, zeros.length)
    if (!synced) this.#noteUnsynced(length)
    return undefined
  }

  /**
   * FORMAT.md §11, "'none' appends": `bytes` more appended that no sync follows; every
   * UNSYNCED_WRITEBACK of them, a writeback starts on the thread pool (nothing waits for it), so
   * that the next durable commit's sync does not write a long run of them alone: after 200,000
   * puts in 'none' commits (~25 MB), the first durable put's sync took ~20 ms here.
   */
  #noteUnsynced(bytes: number): void {
    this.#unsynced += bytes
    if (this.#unsynced < UNSYNCED_WRITEBACK) return
    this.#unsynced = 0
    this.file.startWriteback?.('backlog')
  }

  async #writeAsync(parts: readonly WritePart[], after: number, zeros: number, synced: boolean): Promise<void> {
    const length = after - this.end
    try {
      for (const part of parts) await this.file.writev(part.buffers, part.at)
    } catch (err) {
      await this.cutBack(this.end, this.records)
      throw err
    }
    this.#appended(after, zeros)
    if (!synced) this.#noteUnsynced(length)
  }

  /**
   * FORMAT.md §11, "Streamed records": writes bytes `from` on of the ops of the record `builder`
   * is building at their place past the journal's end (with, when the record begins, zeros where
   * its header goes: what a scan ends at), then asks the file to start writing back (on the thread
   * pool; nothing waits for it). The record must be the next one written here: write() then skips
   * those bytes. False, with nothing written, while a truncate runs or once the end moved since
   * the record began (a checkpoint restarted the journal, a failed sync cut it back): the commit
   * then writes the record whole. False also when the write fails: the commit then fails with
   * its error (write()), as when its own append fails.
   */
  stream(builder: RecordBuilder, from: number, buffers: readonly Buffer[]): boolean {
    if (this.#releasing !== undefined || this.#truncating > 0) return false
    if (from === 0) {
      this.#streaming = builder
      this.#streamAt = this.end
      this.#streamError = undefined
    } else if (this.#streaming !== builder || this.#streamAt !== this.end) return false
    try {
      if (from === 0) this.file.writevSync([ZEROS.subarray(0, RECORD_HEADER), ...buffers], this.end)
      else this.file.writevSync(buffers, this.end + RECORD_HEADER + from)
    } catch (err) {
      this.#streamError = err ?? new BTreeError('BTREE_IO', 'a journal write failed without an error')
      return false
    }
    this.file.startWriteback?.()
    return true
  }

  /** Whether a truncate runs (cutBack, release): until it is done the file's end may read short. */
  get truncating(): boolean {
    return this.#releasing !== undefined || this.#truncating > 0
  }

  /**
   * Whether write() of a record of `length` bytes, given the same `onReturn`, is done on return
   * (else it returns a promise).
   */
  writesOnReturn(length: number, onReturn: number = SYNC_WRITE_LIMIT): boolean {
    return length <= onReturn && this.#releasing === undefined
  }

  /**
   * Forgets the records from byte `end` on (a failed write, or a failed sync and every record
   * written after it): a record that reached the file must not be replayed at the next open.
   * Cutting it off is best effort; the next record overwrites it anyway.
   */
  async cutBack(end: number, records: number): Promise<void> {
    this.end = end
    this.records = records
    this.#allocated = end
    this.#forgetStream()
    this.#truncating++
    await this.file.truncate(end).catch(() => {})
    this.#truncating--
  }

  #appended(after: number, zeros: number): void {
    this.#allocated = Math.max(this.#allocated, after + zeros)
    this.end = after
    this.records++
  }

  sync(): Promise<void> {
    // It writes every byte appended before it.
    this.#unsynced = 0
    return this.file.sync()
  }

  /** sync() on the caller's thread (a lone commit's, Committer.commit). */
  syncSync(): void {
    this.#unsynced = 0
    this.file.syncSync()
  }

  /**
   * Starts over after a checkpoint: later records overwrite from byte 0, keeping the allocation.
   * Records left past them follow an older checkpoint: the terminator after each new record ends
   * a scan before them, and a scan that reaches one stops there (scanJournal), so nothing needs a
   * sync.
   */
  restart(): void {
    this.end = 0
    this.records = 0
    this.#unsynced = 0
    this.#forgetStream()
  }

  /** No record is streamed: the next write() writes its record whole. */
  #forgetStream(): void {
    this.#streaming = undefined
    this.#streamError = undefined
  }

  /** Gives the allocation back (at close, the journal empty): the file is truncated to nothing. */
  async release(): Promise<void> {
    if (this.#releasing !== undefined) await this.#releasing
    if (this.end !== 0) return
    this.#allocated = 0
    this.#forgetStream()
    this.#truncating++
    try {
      await this.file.truncate(0)
    } finally {
      this.#truncating--
    }
  }

  /**
   * release() without waiting for the truncate (db.checkpoint()): freeing a 25 MB journal's blocks
   * took 10–30 ms here, after the checkpoint's meta is durable, with nothing else to overlap. The
   * next write waits for it (write() returns its promise meanwhile, and writesOnReturn() says so).
   * Best effort, as cutBack: the records need no truncate (a restarted journal's scan stops at the
   * first record's terminator), so a failed one only leaves the allocation, which they reuse.
   */
  startRelease(): void {
    if (this.end !== 0 || this.#releasing !== undefined) return
    this.#allocated = 0
    this.#forgetStream()
    const done: Promise<void> = this.file.truncate(0).then(
      () => this.#released(done),
      () => this.#released(done),
    )
    this.#releasing = done
  }

  #released(done: Promise<void>): void {
    if (this.#releasing === done) this.#releasing = undefined
  }
}

/** One write of a record: buffers written back to back from byte `at`. */
interface WritePart {
  readonly buffers: readonly Uint8Array[]
  readonly at: number
}

/** `buffers` from index `first` on, without their first `skip` bytes. */
function skipBytes(buffers: readonly Uint8Array[], first: number, skip: number): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let i = first; i < buffers.length; i++) {
    const b = buffers[i]!
    if (skip >= b.length) skip -= b.length
    else {
      out.push(skip > 0 ? b.subarray(skip) : b)
      skip = 0
    }
  }
  return out
}

/**
 * Records up to this size are written on the caller's thread (a small write costs ~6 µs so); larger
 * ones on the thread pool, unless the caller raises the bound (write's `onReturn`: the committer
 * does for a transaction that edits leaves in place, db/committer.ts:onReturnLimit).
 */
export const SYNC_WRITE_LIMIT = 256 * 1024
/** 'none' appends between two writebacks (#noteUnsynced). */
export const UNSYNCED_WRITEBACK = 4 * 1024 * 1024
/** The file grows to a multiple of this: one new allocation per MiB appended, once grown. */
const EXTENT = 1024 * 1024
/** Zero bytes written after each record: a zero header ends a scan. */
const TERMINATOR = RECORD_HEADER
const ZEROS = Buffer.alloc(EXTENT + TERMINATOR)

/**
 * FORMAT.md §11, allocation: the zeros written after a synced record that begins at `end` and ends
 * at `after`, in a file of `allocated` bytes. The terminator, and when that passes the file's end,
 * zeros up to the next MiB boundary, but never more zeros than the records before it (a journal
 * that db.checkpoint() or close emptied grows by doubling, so that a checkpoint after every commit
 * does not write a MiB of zeros each time). The zeros cost one sequential write per allocation,
 * and the journal's bytes are written about twice while it grows (not again once restarted: the
 * allocation is kept); the syncs that follow then overwrite allocated blocks. An ascending fill of
 * 200,000 keys in commits of 1,000 (`'full'`): fill and checkpoint 184 → 169 and 186 → 162 ms, its
 * syncs 74 → 56 and 73 → 55 ms (medians of 15 rounds, two builds alternating, issue 9).
 */
export function zerosAhead(end: number, after: number, allocated: number): number {
  const need = after + TERMINATOR
  if (need <= allocated) return TERMINATOR
  // Both bounds are at least `need`: the terminator always fits.
  return Math.min(roundUp(need, EXTENT), need + end) - after
}

function roundUp(n: number, unit: number): number {
  return Math.ceil(n / unit) * unit
}
