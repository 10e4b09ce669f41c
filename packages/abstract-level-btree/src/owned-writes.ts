import type { WriteOp } from './level-store.js'

/** A write as abstract-level hands it to `_batch`: encoded to one of the manifest's formats. */
export interface PrivateWrite {
  type: 'put' | 'del'
  key: string | Uint8Array
  value?: string | Uint8Array
}

/**
 * The writes of a batch with bytes of their own (the engine applies them after `_batch` returned,
 * when a caller may have reused its buffers): every buffer key and value is copied into one
 * allocation and handed on as a plain view of it (a Buffer view costs a Buffer construction each),
 * where a copy each would cost an allocation each. Strings are encoded (`Buffer.from` makes bytes
 * the caller cannot touch).
 *
 * The operations are changed in place and returned as the writes: abstract-level hands `_batch`
 * objects of its own, made for the call (`batch()` clones each operation, a chained batch builds
 * its own), and never reads them again; an array of new objects was a thousand allocations per
 * batch of a thousand.
 */
export function ownWrites(operations: PrivateWrite[]): WriteOp[] {
  let total = 0
  for (let i = 0; i < operations.length; i++) {
    const op = operations[i]!
    if (typeof op.key !== 'string') total += op.key.byteLength
    if (op.type === 'put' && typeof op.value !== 'string') total += op.value!.byteLength
  }
  const slab = new Slab(total)
  for (let i = 0; i < operations.length; i++) {
    const op = operations[i]!
    op.key = slab.own(op.key)
    if (op.type === 'put') op.value = slab.own(op.value!)
  }
  return operations as WriteOp[]
}

/**
 * The writes of a batch that the engine applies before `_batch` returns (LevelStore.writeNow):
 * strings are encoded, bytes are handed on as they are (the engine copies them as it applies
 * them). The operations are changed in place, as by ownWrites.
 */
export function byteWrites(operations: PrivateWrite[]): WriteOp[] {
  for (let i = 0; i < operations.length; i++) {
    const op = operations[i]!
    if (typeof op.key === 'string') op.key = Buffer.from(op.key, 'utf8')
    if (op.type === 'put' && typeof op.value === 'string') op.value = Buffer.from(op.value, 'utf8')
  }
  return operations as WriteOp[]
}

/** Copies buffers into one allocation, back to back. */
class Slab {
  readonly #bytes: Uint8Array
  #at = 0

  constructor(size: number) {
    this.#bytes = Buffer.allocUnsafe(size)
  }

  own(data: string | Uint8Array): Uint8Array {
    if (typeof data === 'string') return Buffer.from(data, 'utf8')
    const bytes = this.#bytes
    const start = this.#at
    const n = data.byteLength
    bytes.set(data, start)
    this.#at = start + n
    return new Uint8Array(bytes.buffer, bytes.byteOffset + start, n)
  }
}
