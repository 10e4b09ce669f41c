import { currentGeneration } from '../tree/generation.js'

/**
 * Open snapshots by the txid they see. A page freed by commit t may be reused only when every open
 * reader sees t or later (freelist.ts). O(1) add and remove; `oldest` is O(distinct txids), which
 * stays small because readers cluster on recent commits.
 *
 * The txid readers last registered under is counted in a field of its own, beside the Map: a
 * `db.view` per get adds and removes one reader of the newest commit each time, and a Map entry
 * deleted and set again on every call cost a hash probe each way and left holes to rehash.
 */
export class ReaderRegistry {
  /**
   * The generation counter (tree/generation.ts) when the newest snapshot registered: no snapshot
   * open can reach a node of a later generation (mayAdopt).
   */
  #watermark = 0
  /**
   * Set while a write transaction edits nodes of earlier commits in place (WriteTx.adopt): called
   * before a snapshot registers, or a checkpoint copies the newest state, to give those nodes back
   * as they were published (WriteTx.detachAdopted).
   */
  beforeSnapshot: (() => void) | undefined = undefined
  readonly #counts = new Map<number, number>()
  /** Invariant: `#hot` is never a key of `#counts`. */
  #hot = -1
  #hotCount = 0
  /**
   * Readers open in all (`size`): counted as they come and go, since mayAdopt asks for every leaf a
   * write adopts, and summing the map allocated an iterator each time.
   * Always `#hotCount` plus the sum of `#counts`' values.
   */
  #open = 0

  add(txid: number): void {
    this.beforeSnapshot?.()
    this.#watermark = currentGeneration()
    this.#open++
    if (txid === this.#hot) {
      this.#hotCount++
      return
    }
    if (this.#hotCount === 0 && !this.#counts.has(txid)) {
      this.#hot = txid
      this.#hotCount = 1
      return
    }
    this.#counts.set(txid, (this.#counts.get(txid) ?? 0) + 1)
  }

  remove(txid: number): void {
    if (txid === this.#hot) {
      if (this.#hotCount > 0) {
        this.#hotCount--
        this.#open--
      }
      return
    }
    const n = this.#counts.get(txid)
    if (n === undefined) return
    this.#open--
    if (n <= 1) this.#counts.delete(txid)
    else this.#counts.set(txid, n - 1)
  }

  /**
   * Whether no open snapshot can reach a node of generation `gen` (a node made after the newest
   * one registered, or none open): a writer may then edit it in place (WriteTx.adopt).
   */
  mayAdopt(gen: number): boolean {
    return gen > this.#watermark || this.size === 0
  }

  /** The smallest txid an open reader sees, or Infinity. */
  oldest(): number {
    let min = this.#hotCount > 0 ? this.#hot : Infinity
    for (const t of this.#counts.keys()) if (t < min) min = t
    return min
  }

  get size(): number {
    return this.#open
  }
}
