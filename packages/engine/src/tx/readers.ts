/**
 * Open snapshots by the txid they see. A page freed by commit t may be reused only when every open
 * reader sees t or later (freelist.ts). O(1) add and remove; `oldest` is O(distinct txids), which
 * stays small because readers cluster on recent commits.
 */
export class ReaderRegistry {
  readonly #counts = new Map<number, number>()

  add(txid: number): void {
    this.#counts.set(txid, (this.#counts.get(txid) ?? 0) + 1)
  }

  remove(txid: number): void {
    const n = this.#counts.get(txid)
    if (n === undefined) return
    if (n <= 1) this.#counts.delete(txid)
    else this.#counts.set(txid, n - 1)
  }

  /** The smallest txid an open reader sees, or Infinity. */
  oldest(): number {
    let min = Infinity
    for (const t of this.#counts.keys()) if (t < min) min = t
    return min
  }

  get size(): number {
    let n = 0
    for (const c of this.#counts.values()) n += c
    return n
  }
}
