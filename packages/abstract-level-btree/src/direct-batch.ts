import type { WriteOp } from './level-store.js'

/** What a batch's options may hold that abstract-level would copy into every operation. */
interface BatchOptionsShape {
  keyEncoding?: unknown
  valueEncoding?: unknown
  sublevel?: unknown
}

/** An operation as a caller hands it to `batch()`, before abstract-level has looked at it. */
interface PublicOpShape {
  type?: unknown
  key?: unknown
  value?: unknown
  keyEncoding?: unknown
  valueEncoding?: unknown
  sublevel?: unknown
}

/**
 * The operations of an array batch as they are, when abstract-level's own preparation of them
 * (`AbstractLevel#arrayBatch`) would hand `_batch` the same bytes: every key and put value a
 * Uint8Array, on a database whose default encodings pass bytes through unchanged (`buffer`,
 * `view`), with no encoding, sublevel or missing value that would change or reject them. Undefined
 * otherwise: the caller then goes through abstract-level (which also validates and reports).
 *
 * abstract-level clones each operation into a new object, looks its encodings up and calls their
 * `encode` and the key prefixer: ~8% of a random batch's CPU and an object per write for the
 * garbage collector, for nothing when the bytes come out as they went in. The operations are the
 * caller's and are not changed: they are read only while the batch applies, before `batch()`
 * returns (or copied when it queues: ownWrites on copies). O(operations).
 */
export function directWrites(operations: unknown, options: unknown): readonly WriteOp[] | undefined {
  if (!Array.isArray(operations) || operations.length === 0) return undefined
  if (typeof options === 'object' && options !== null) {
    const o = options as BatchOptionsShape
    if (o.keyEncoding !== undefined || o.valueEncoding !== undefined || o.sublevel != null) return undefined
  }
  const ops = operations as unknown[]
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]
    if (typeof op !== 'object' || op === null) return undefined
    const o = op as PublicOpShape
    if (!(o.key instanceof Uint8Array) || o.keyEncoding !== undefined || o.sublevel != null) return undefined
    if (o.type === 'put') {
      if (!(o.value instanceof Uint8Array) || o.valueEncoding !== undefined) return undefined
    } else if (o.type !== 'del') return undefined
  }
  return ops as WriteOp[]
}

/** New operation objects over the same bytes, for ownWrites (which changes what it is given). */
export function copiedOps(
  ops: readonly WriteOp[],
): Array<{ type: 'put' | 'del'; key: Uint8Array; value?: Uint8Array }> {
  const out = new Array<{ type: 'put' | 'del'; key: Uint8Array; value?: Uint8Array }>(ops.length)
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!
    out[i] = op.type === 'put' ? { type: 'put', key: op.key, value: op.value! } : { type: 'del', key: op.key }
  }
  return out
}
