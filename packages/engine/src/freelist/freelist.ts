/**
 * Free pages and pages pending release, in memory. FORMAT.md §7 describes what a commit writes.
 *
 * Invariant: every page id in [2, highWater) is in exactly one of: reachable from the newest meta,
 * `free`, a `pending` group, or a dropped bucket awaiting reclaim (inspect/check.ts verifies it).
 * Invariant: `free` is sorted ascending and holds no duplicates.
 *
 * A page freed by commit t stays pending until (a) no open reader sees a state before t, and
 * (b) a commit at or after t is durable (FORMAT.md §8): until then a crash could bring back a
 * state that still uses it.
 */
export class FreeList {
  #free: number[]
  readonly #pending = new Map<number, number[]>()
  /**
   * Every id of the completed commits' pending groups, ascending, kept up to date as groups are
   * added and released, so that writing the list costs a linear merge, not a sort of every pending
   * id (which made each commit O(P log P) while a run of unsynced commits held P pages back).
   */
  #pendingSorted: number[] = []
  highWater: number
  #checkpoint: { free: number[]; highWater: number; txid: number } | undefined

  constructor(free: number[], highWater: number) {
    this.#free = free.slice().sort((a, b) => a - b)
    this.highWater = highWater
  }

  get freeCount(): number {
    return this.#free.length
  }

  get pendingCount(): number {
    let n = 0
    for (const ids of this.#pending.values()) n += ids.length
    return n
  }

  /**
   * The free and pending ids as of the last completed commit (during a commit in flight, as they
   * were before it), for check().
   */
  view(): { free: readonly number[]; pending: number[]; highWater: number } {
    const cp = this.#checkpoint
    const pending: number[] = []
    // A loop, not push(...ids): a checkpoint's group can hold more ids than the stack takes arguments.
    for (const [t, ids] of this.#pending) if (cp === undefined || t !== cp.txid) for (const id of ids) pending.push(id)
    return cp !== undefined
      ? { free: cp.free, pending, highWater: cp.highWater }
      : { free: this.#free, pending, highWater: this.highWater }
  }

  /** Starts commit `txid`: remembers the state so that a failed commit can give its pages back. */
  begin(txid: number): void {
    this.#checkpoint = { free: this.#free.slice(), highWater: this.highWater, txid }
  }

  /** The commit completed: its allocations and frees stand. */
  end(): void {
    const cp = this.#checkpoint
    this.#checkpoint = undefined
    const group = cp === undefined ? undefined : this.#pending.get(cp.txid)
    if (group !== undefined) {
      group.sort((a, b) => a - b)
      this.#pendingSorted = mergeSorted(this.#pendingSorted, group)
    }
  }

  /** The commit failed: pages it allocated are free again and what it freed is in use again. */
  abort(): void {
    const cp = this.#checkpoint
    if (cp === undefined) return
    this.#free = cp.free
    this.highWater = cp.highWater
    this.#pending.delete(cp.txid)
    this.#checkpoint = undefined
  }

  /** Allocates `count` consecutive pages, from the free list when it has such a run. */
  allocate(count: number): number {
    const free = this.#free
    if (count === 1 && free.length > 0) return free.pop()!
    if (count > 1) {
      // Scan from the end for `count` consecutive ids.
      let runEnd = free.length - 1
      for (let i = free.length - 1; i >= 0; i--) {
        if (i < runEnd && free[i]! + 1 !== free[i + 1]!) runEnd = i
        if (runEnd - i + 1 === count) {
          const first = free[i]!
          free.splice(i, count)
          return first
        }
      }
    }
    const first = this.highWater
    this.highWater += count
    return first
  }

  /**
   * Gives back the `count` pages from `first` that the last allocate() returned, with no allocation
   * since: a failed write of leaves ahead of a checkpoint (tx/early-pages.ts), which runs between
   * commits. O(1) for a run past the high-water mark; O(free pages) for one from the list, and only
   * on that failure (begin() and abort() around every write ahead copied the whole list each time).
   */
  unallocate(first: number, count: number): void {
    if (first + count === this.highWater) {
      this.highWater = first
      return
    }
    const ids = new Array<number>(count)
    for (let i = 0; i < count; i++) ids[i] = first + i
    this.#free = mergeSorted(this.#free, ids)
  }

  /** Records pages freed by commit `txid`. */
  free(txid: number, pgid: number, count: number): void {
    let group = this.#pending.get(txid)
    if (group === undefined) {
      group = []
      this.#pending.set(txid, group)
    }
    for (let i = 0; i < count; i++) group.push(pgid + i)
    // Outside a commit (recovery, tests) the group counts as completed at once.
    if (this.#checkpoint?.txid !== txid) {
      const ids: number[] = []
      for (let i = 0; i < count; i++) ids.push(pgid + i)
      this.#pendingSorted = mergeSorted(this.#pendingSorted, ids)
    }
  }

  /** Moves every pending group with txid <= `upTo` to the free list and returns their ids. Call between commits. */
  release(upTo: number): readonly number[] {
    let released: number[] | undefined
    for (const [t, ids] of this.#pending) {
      if (t > upTo) continue
      released = released === undefined ? ids : released.concat(ids)
      this.#pending.delete(t)
    }
    if (released === undefined) return []
    released.sort((a, b) => a - b)
    this.#free = mergeSorted(this.#free, released)
    if (this.#pending.size === 0) this.#pendingSorted = []
    else this.#pendingSorted = subtractSorted(this.#pendingSorted, released)
    return released
  }

  /**
   * Free and pending ids together, ascending: what a commit writes (FORMAT.md §7). O(F + P):
   * only the commit in flight's own group is sorted.
   */
  freeAndPending(): number[] {
    const cp = this.#checkpoint
    const own = cp === undefined ? undefined : this.#pending.get(cp.txid)
    const pending =
      own === undefined
        ? this.#pendingSorted
        : mergeSorted(
            this.#pendingSorted,
            own.slice().sort((a, b) => a - b),
          )
    return mergeSorted(this.#free, pending)
  }
}

/** `a` without the ids of `b` (both ascending, `b` a subset of `a`). */
function subtractSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = []
  let j = 0
  for (const x of a) {
    if (j < b.length && b[j] === x) j++
    else out.push(x)
  }
  return out
}

function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const out = new Array<number>(a.length + b.length)
  let i = 0
  let j = 0
  let k = 0
  while (i < a.length && j < b.length) out[k++] = a[i]! <= b[j]! ? a[i++]! : b[j++]!
  while (i < a.length) out[k++] = a[i++]!
  while (j < b.length) out[k++] = b[j++]!
  return out
}
