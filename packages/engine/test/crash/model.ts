import { createHash } from 'node:crypto'
import type { Database } from '../../src/db/database.js'
import type { Savepoint, WriteTransaction } from '../../src/base/types.js'

/**
 * The expected contents of a database: bucket name -> (hex key -> value). Hex keeps byte order
 * (two characters per byte, lower case), so sorting the hex keys sorts the keys.
 */
export type ModelState = Map<string, Map<string, Uint8Array>>

export function cloneState(s: ModelState): ModelState {
  const out: ModelState = new Map()
  for (const [name, entries] of s) out.set(name, new Map(entries))
  return out
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

/**
 * A digest of the full contents (every bucket, every key and value, in order): two states are
 * equal exactly when their fingerprints are, and keeping one string per commit stays small.
 */
export function fingerprintState(s: ModelState): string {
  const h = createHash('sha256')
  for (const name of [...s.keys()].sort(compareUtf8)) {
    const entries = s.get(name)!
    h.update(`B${name.length}:${name}:${entries.size}\n`)
    for (const k of [...entries.keys()].sort()) h.update(`K${k}=${hex(entries.get(k)!)}\n`)
  }
  return h.digest('hex')
}

/** The database's full contents read through the public API, as a fingerprint. */
export function fingerprintDb(db: Database): string {
  return fingerprintState(dumpDb(db))
}

/** Reads every bucket and every entry, and cross-checks `size` and point gets against the scan. */
export function dumpDb(db: Database): ModelState {
  return db.view((tx) => {
    const out: ModelState = new Map()
    for (const name of tx.buckets()) {
      const b = tx.bucket(name)
      if (b === undefined) throw new Error(`bucket ${name} is listed but cannot be opened`)
      const entries = new Map<string, Uint8Array>()
      let prev: string | undefined
      for (const [k, v] of b.entries()) {
        const hk = hex(k)
        if (prev !== undefined && !(prev < hk)) throw new Error(`bucket ${name}: keys out of order at ${hk}`)
        prev = hk
        entries.set(hk, Uint8Array.from(v))
      }
      if (entries.size !== b.size) throw new Error(`bucket ${name}: size ${b.size} but ${entries.size} entries`)
      out.set(name, entries)
    }
    return out
  })
}

function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}

/**
 * Applies each change to a write transaction and to the model at once, so the model is built
 * independently of what the engine later reads back. Savepoints snapshot the model.
 */
export class Mirror {
  readonly tx: WriteTransaction
  state: ModelState
  readonly #marks = new Map<number, ModelState>()

  constructor(tx: WriteTransaction, state: ModelState) {
    this.tx = tx
    this.state = state
  }

  create(name: string): void {
    this.tx.createBucketIfNotExists(name)
    if (!this.state.has(name)) this.state.set(name, new Map())
  }

  drop(name: string): void {
    this.tx.deleteBucket(name)
    this.state.delete(name)
  }

  put(name: string, key: Uint8Array, value: Uint8Array): void {
    this.tx.createBucketIfNotExists(name).put(key, value)
    if (!this.state.has(name)) this.state.set(name, new Map())
    this.state.get(name)!.set(hex(key), Uint8Array.from(value))
  }

  del(name: string, key: Uint8Array): void {
    const b = this.tx.bucket(name)
    const had = b?.delete(key) ?? false
    const m = this.state.get(name)
    const modelHad = m?.delete(hex(key)) ?? false
    if (had !== modelHad) throw new Error(`delete of ${hex(key)} in ${name}: engine said ${had}, model ${modelHad}`)
  }

  savepoint(): Savepoint {
    const sp = this.tx.savepoint()
    this.#marks.set(sp.id, cloneState(this.state))
    return sp
  }

  rollbackTo(sp: Savepoint): void {
    this.tx.rollbackTo(sp)
    this.state = cloneState(this.#marks.get(sp.id)!)
  }

  release(sp: Savepoint): void {
    this.tx.release(sp)
  }

  /** Keys present in bucket `name` of the model, as bytes, in order. */
  keys(name: string): Uint8Array[] {
    return [...(this.state.get(name)?.keys() ?? [])].sort().map((k) => Buffer.from(k, 'hex'))
  }
}

/** A key from a number: fixed width so numeric and byte order agree. */
export function key(n: number, prefix = 'k'): Uint8Array {
  return Buffer.from(`${prefix}${String(n).padStart(8, '0')}`)
}

/** A deterministic value of `length` bytes derived from `n`. */
export function value(n: number, length: number): Uint8Array {
  const out = Buffer.alloc(length)
  let x = (n * 2654435761) >>> 0
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    out[i] = x >>> 24
  }
  return out
}
