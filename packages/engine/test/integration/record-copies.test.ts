import { expect } from 'chai'
import { Prng } from '../../src/io/prng.js'
import { expectCheck, useTempDir } from './helpers.js'

const SEED = Number(process.env.SEED ?? 20261203)

/**
 * A put copies the caller's key and value into the commit's journal record; a packed leaf copies
 * them again into its page and keeps no view of the record, a decoded leaf keeps views of the
 * record's copies (tree/modify.ts:RecordCopy). Record chunks that no view pins are reused by later
 * records (RecordBuilder.recycle). These pin that no tree, snapshot or value read ever sees the
 * caller's buffers change, nor a chunk a view still names be written again.
 */
describe('integration: the journal record keeps what the trees name', () => {
  const t = useTempDir()

  it(`random puts from reused buffers, into packed and decoded leaves, over many commits and a checkpoint: snapshots, the values they read and the tree stay as committed (seed ${SEED})`, async function () {
    this.timeout(120_000)
    const db = await t.open({ durability: 'none' })
    const rng = new Prng(SEED)
    const model = new Map<string, Buffer>()
    // The caller's buffers, overwritten after every put.
    const keyBuf = Buffer.alloc(1100)
    const valueBuf = Buffer.alloc(1500)
    const keyOf = (id: number): Buffer => {
      // Every 40th key is out of line (over 1,004 bytes at 4 KiB pages): its leaf is decoded.
      const k = Buffer.alloc(id % 40 === 0 ? 1100 : 16, 0x61)
      k.write(String(id).padStart(16, '0'), 'latin1')
      return k
    }
    const snapshots: { tx: ReturnType<typeof db.begin>; held: [Buffer, Uint8Array, Buffer][] }[] = []
    for (let commit = 0; commit < 40; commit++) {
      await db.update((tx) => {
        const bucket = tx.createBucketIfNotExists('b')
        // Over 64 KiB of record a commit: its last chunks are full-size ones, which later records reuse.
        for (let i = 0; i < 1200; i++) {
          const key = keyOf(rng.int(8000))
          // Every 30th value overflows; the rest stay inline.
          const length = rng.int(30) === 0 ? 1200 + rng.int(300) : 1 + rng.int(120)
          const value = Buffer.alloc(length)
          for (let j = 0; j < length; j++) value[j] = rng.int(256)
          const k = keyBuf.subarray(0, key.length)
          const v = valueBuf.subarray(0, length)
          key.copy(k)
          value.copy(v)
          bucket.put(k, v)
          keyBuf.fill(0xff)
          valueBuf.fill(0xee)
          model.set(key.toString('hex'), value)
        }
      })
      if (commit % 5 === 2) {
        // A snapshot, and values it reads held as returned (views where the engine gives views).
        const tx = db.begin()
        const bucket = tx.bucket('b')!
        const held: [Buffer, Uint8Array, Buffer][] = []
        for (const [hex, value] of [...model].filter(() => rng.int(16) === 0)) {
          const key = Buffer.from(hex, 'hex')
          held.push([key, bucket.get(key)!, value])
        }
        snapshots.push({ tx, held })
      }
      if (commit === 20) await db.checkpoint()
    }
    for (const [s, { tx, held }] of snapshots.entries()) {
      const bucket = tx.bucket('b')!
      for (const [key, value, expected] of held) {
        const what = `snapshot ${s}, key ${key.subarray(0, 16).toString('latin1')}`
        expect(Buffer.from(value).equals(expected), `${what}: the value read then`).to.equal(true)
        expect(Buffer.from(bucket.get(key)!).equals(expected), `${what}: read again`).to.equal(true)
      }
      tx.close()
    }
    db.view((tx) => {
      const bucket = tx.bucket('b')!
      expect(bucket.size).to.equal(model.size)
      for (const [hex, value] of model) {
        const got = bucket.get(Buffer.from(hex, 'hex'))
        expect(got && Buffer.from(got).equals(value), `key ${hex.slice(0, 32)}`).to.equal(true)
      }
    })
    expectCheck(db)
  })
})
