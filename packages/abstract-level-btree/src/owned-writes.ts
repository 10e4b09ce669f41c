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
 * allocation and handed on as a view of it, where a copy each would cost an allocation each.
 * Strings are encoded (`Buffer.from` makes bytes the caller cannot touch).
 */
export function ownWrites(operations: readonly PrivateWrite[]): WriteOp[] {
  let total = 0
  for (const op of operations) {
    if (typeof op.key !== 'string') total += op.key.byteLength
    if (op.type === 'put' && typeof op.value !== 'string') total += op.value!.byteLength
  }
  const slab = Buffer.allocUnsafe(total)
  let at = 0
  const own = (data: string | Uint8Array): Uint8Array => {
    if (typeof data === 'string') return Buffer.from(data, 'utf8')
    const start = at
    slab.set(data, start)
    at += data.byteLength
    return slab.subarray(start, at)
  }
  const out = new Array<WriteOp>(operations.length)
  for (let i = 0; i < operations.length; i++) {
    const op = operations[i]!
    out[i] =
      op.type === 'put' ? { type: 'put', key: own(op.key), value: own(op.value!) } : { type: 'del', key: own(op.key) }
  }
  return out
}
