import { BTreeError, corruption, ioError } from '../base/errors.js'
import type { FileHandle } from '../io/file-handle.js'
import { decodeFreeList, type ReclaimEntry } from '../page/freelist-page.js'
import { encodeEmptyLeaf } from '../page/leaf-page.js'
import { PageType, isValidPageSize, MIN_PAGE_SIZE, MAX_PAGE_SIZE } from '../page/layout.js'
import {
  type Meta,
  FORMAT_VERSION,
  MIN_FORMAT_VERSION,
  decodeMeta,
  encodeMeta,
  hasMetaMagic,
  newerFormatVersion,
  peekPageSize,
} from '../page/meta-page.js'
import type { MetaInfo } from '../base/types.js'
import { Pager } from './pager.js'
import { verifyCommit } from './verify-commit.js'

/**
 * A commit made without a sync is followed by at most this many more before one is made durable
 * (FORMAT.md §8), and after a reopen commits take txids this far past every txid on disk, so no
 * txid of a commit lost to a crash is ever reused.
 */
export const ERA_LIMIT = 1024

export interface OpenedStore {
  pager: Pager
  meta: Meta
  slot: 0 | 1
  durableSlot: 0 | 1
  durableTxid: number
  metas: MetaInfo[]
  free: number[]
  reclaim: ReclaimEntry[]
  nextTxid: number
  /**
   * The lowest txid the next commit may take (FORMAT.md §8 rule 4): past every txid a commit lost
   * to a crash can have used.
   */
  txidFloor: number
  /** Set when the free list could not be read (read-only opens only); check() reports it. */
  freelistError: BTreeError | undefined
}

/**
 * FORMAT.md §3: a new file: an empty catalog leaf at page 2, synced, then both metas, synced. The
 * catalog goes first so that a power loss during creation can never leave a valid meta naming a
 * catalog page that did not reach the disk (the file then opens as corrupt forever).
 */
export async function initializeFile(file: FileHandle, pageSize: number): Promise<void> {
  const catalog = encodeEmptyLeaf(2, 1, pageSize)
  const meta: Meta = {
    txid: 1,
    pageSize,
    catalog: { pgid: 2, txid: 1 },
    freelist: { pgid: 0, txid: 0 },
    freelistPages: 0,
    highWater: 3,
    durableTxid: 1,
  }
  try {
    await file.writev([catalog], 2 * pageSize)
    await file.sync()
    await file.writev([encodeMeta(meta, 0), encodeMeta({ ...meta, txid: 0, durableTxid: 0 }, 1)], 0)
    await file.sync()
  } catch (err) {
    throw ioError('initializing the file', err)
  }
}

/**
 * Opens the newest valid commit: reads both metas, verifies a commit made without a sync
 * (FORMAT.md §8) and falls back to the other slot when the newest is torn, corrupt or unverifiable.
 */
export function readStore(file: FileHandle, cacheSize: number, writable: boolean, path: string): OpenedStore {
  const pageSize = detectPageSize(file, path)
  const metas: MetaInfo[] = []
  const decoded: Array<Meta | undefined> = []
  let newer: number | undefined
  for (const slot of [0, 1] as const) {
    const page = Buffer.alloc(pageSize)
    let n: number
    try {
      n = file.readSync(page, 0, pageSize, slot * pageSize)
    } catch (err) {
      throw ioError(`read of meta page ${slot}`, err)
    }
    const m = n < pageSize ? 'short page' : decodeMeta(page, slot)
    // A valid meta is of a version this code reads: only a refused one can be newer.
    const version = typeof m === 'string' && n === pageSize ? newerFormatVersion(page) : undefined
    if (version !== undefined && (newer === undefined || version > newer)) newer = version
    decoded.push(typeof m === 'string' ? undefined : m)
    metas.push({
      slot,
      valid: typeof m !== 'string',
      txid: typeof m === 'string' ? 0 : m.txid,
      problem: typeof m === 'string' ? m : undefined,
    })
  }
  // FORMAT.md §3, "Versions": a newer engine has written this file. Its other slot may hold an
  // older commit this code could read, but opening that would hide (and a commit overwrite) the
  // newer one.
  if (newer !== undefined) {
    throw new BTreeError(
      'BTREE_NOT_A_DATABASE',
      `${path} was written by a newer btree-store (format version ${newer}; this one reads ${MIN_FORMAT_VERSION} to ${FORMAT_VERSION})`,
    )
  }
  const candidates = ([0, 1] as const)
    .filter((s) => decoded[s] !== undefined)
    .sort((a, b) => decoded[b]!.txid - decoded[a]!.txid)
  if (candidates.length === 0) {
    throw new BTreeError(
      'BTREE_CORRUPTION',
      `both meta pages are invalid: ${metas.map((m) => `slot ${m.slot}: ${m.problem}`).join('; ')}`,
      { pageId: 0 },
    )
  }
  const pager = new Pager(file, pageSize, cacheSize)
  let lastError: unknown
  for (const slot of candidates) {
    const meta = decoded[slot]!
    pager.highWater = meta.highWater
    try {
      if (meta.durableTxid < meta.txid) verifyCommit(pager, meta)
    } catch (err) {
      lastError = err
      metas[slot]!.problem = `unverifiable commit: ${(err as Error).message}`
      pager.cache.clear()
      continue
    }
    let free: number[] = []
    let reclaim: ReclaimEntry[] = []
    let freelistError: BTreeError | undefined
    try {
      if (meta.freelist.pgid !== 0) {
        const body = pager.readRun(meta.freelist.pgid, meta.freelistPages, meta.freelist.txid, PageType.freelist)
        const rec = decodeFreeList(body)
        if (typeof rec === 'string') throw corruption(meta.freelist.pgid, rec)
        free = rec.free
        reclaim = rec.reclaim
      }
    } catch (err) {
      if (writable || !(err instanceof BTreeError)) throw err
      freelistError = err
    }
    const other = decoded[slot === 0 ? 1 : 0]
    const maxTxid = Math.max(meta.txid, other?.txid ?? 0)
    return {
      pager,
      meta,
      slot,
      durableSlot: slot,
      durableTxid: meta.txid,
      metas,
      free,
      reclaim,
      nextTxid: maxTxid + 1,
      txidFloor: maxTxid + ERA_LIMIT + 1,
      freelistError,
    }
  }
  throw lastError instanceof BTreeError
    ? lastError
    : new BTreeError('BTREE_CORRUPTION', 'no meta page leads to a valid commit', { pageId: 0 })
}

/** The page size, from meta 0, or from meta 1 when meta 0 is unreadable. */
function detectPageSize(file: FileHandle, path: string): number {
  const head = Buffer.alloc(64)
  const read = (pos: number): number => {
    try {
      return file.readSync(head, 0, 64, pos)
    } catch (err) {
      throw ioError('read of the meta page', err)
    }
  }
  if (read(0) === 64) {
    const size = peekPageSize(head)
    if (isValidPageSize(size)) return size
  }
  for (let size = MIN_PAGE_SIZE; size <= MAX_PAGE_SIZE; size *= 2) {
    if (read(size) === 64 && peekPageSize(head) === size) return size
  }
  if (read(0) >= 20 && hasMetaMagic(head)) {
    throw new BTreeError('BTREE_CORRUPTION', 'both meta pages are unreadable', { pageId: 0 })
  }
  throw new BTreeError('BTREE_NOT_A_DATABASE', `${path} is not a btree-store database`)
}
