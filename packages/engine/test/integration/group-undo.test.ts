import { expect } from 'chai'
import type { ReadTransaction, WriteTransaction } from '../../src/base/types.js'
import { Prng } from '../../src/io/prng.js'
import { expectCheck, numKey, useTempDir } from './helpers.js'

/** Bucket name -> key (hex) -> value (hex): what the committed updates should have left. */
type Model = Map<string, Map<string, string>>

const BUCKETS = ['a', 'b', 'c']

/** A seeded list of ops for one update callback, applied to the engine and to a model alike. */
type Op =
  | { kind: 'put'; bucket: string; key: Buffer; value: Buffer }
  | { kind: 'delete'; bucket: string; key: Buffer }
  | { kind: 'create'; bucket: string }
  | { kind: 'drop'; bucket: string }

function randomOps(rng: Prng): Op[] {
  const ops: Op[] = []
  const n = 1 + rng.int(12)
  for (let i = 0; i < n; i++) {
    const bucket = BUCKETS[rng.int(BUCKETS.length)]!
    const r = rng.int(100)
    if (r < 60) {
      // Small values, and now and then one too large for a leaf (an overflow value).
      const size = rng.bool(0.1) ? 5000 + rng.int(20_000) : 1 + rng.int(200)
      ops.push({ kind: 'put', bucket, key: numKey(rng.int(300), 6), value: Buffer.from(rng.bytes(size)) })
    } else if (r < 85) ops.push({ kind: 'delete', bucket, key: numKey(rng.int(300), 6) })
    else if (r < 93) ops.push({ kind: 'create', bucket })
    else ops.push({ kind: 'drop', bucket })
  }
  return ops
}

function applyToTx(tx: WriteTransaction, ops: readonly Op[]): void {
  for (const op of ops) {
    if (op.kind === 'create') tx.createBucketIfNotExists(op.bucket)
    else if (op.kind === 'drop') {
      if (tx.bucket(op.bucket) !== undefined) tx.deleteBucket(op.bucket)
    } else if (op.kind === 'put') tx.createBucketIfNotExists(op.bucket).put(op.key, op.value)
    else tx.bucket(op.bucket)?.delete(op.key)
  }
}

function applyToModel(model: Model, ops: readonly Op[]): void {
  for (const op of ops) {
    if (op.kind === 'create') {
      if (!model.has(op.bucket)) model.set(op.bucket, new Map())
    } else if (op.kind === 'drop') model.delete(op.bucket)
    else if (op.kind === 'put') {
      let m = model.get(op.bucket)
      if (m === undefined) model.set(op.bucket, (m = new Map()))
      m.set(op.key.toString('hex'), op.value.toString('hex'))
    } else model.get(op.bucket)?.delete(op.key.toString('hex'))
  }
}

function contents(tx: ReadTransaction): Model {
  const out: Model = new Map()
  for (const name of tx.buckets()) {
    const m = new Map<string, string>()
    for (const [k, v] of tx.bucket(name)!.entries())
      m.set(Buffer.from(k).toString('hex'), Buffer.from(v).toString('hex'))
    out.set(name, m)
  }
  return out
}

function sameModel(a: Model, b: Model): boolean {
  if (a.size !== b.size) return false
  for (const [name, m] of a) {
    const n = b.get(name)
    if (n === undefined || n.size !== m.size) return false
    for (const [k, v] of m) if (n.get(k) !== v) return false
  }
  return true
}

const SEED = Number(process.env['SEED'] ?? 20261202) >>> 0

describe('integration: group commit undo (seeded)', () => {
  const t = useTempDir()

  it(`groups whose callbacks throw at random leave exactly the others' writes (seed ${SEED})`, async () => {
    console.log(`      seed ${SEED} (replay with SEED=<n>)`)
    const rng = new Prng(SEED)
    const db = await t.open({ pageSize: 1024 })
    const model: Model = new Map()
    let undone = 0
    for (let round = 0; round < 40; round++) {
      const width = 2 + rng.int(10)
      const seen = new Set<WriteTransaction>()
      const wrongViews: number[] = []
      const plans = Array.from({ length: width }, () => ({ ops: randomOps(rng), fail: rng.bool(0.3) }))
      const txid = db.txid
      const results = await Promise.allSettled(
        plans.map((plan, i) =>
          db.update((tx) => {
            seen.add(tx)
            // It sees the commits before plus the writes of the callbacks before it that did not throw.
            if (!sameModel(contents(tx), model)) wrongViews.push(i)
            applyToTx(tx, plan.ops)
            if (plan.fail) throw new Error('planned')
            applyToModel(model, plan.ops)
          }),
        ),
      )
      for (const [i, r] of results.entries()) {
        expect(r.status, `round ${round}, update ${i}`).to.equal(plans[i]!.fail ? 'rejected' : 'fulfilled')
        if (r.status === 'rejected') expect((r.reason as Error).message).to.equal('planned')
      }
      expect(wrongViews, `round ${round}: callbacks that saw other contents`).to.deep.equal([])
      undone += plans.filter((p) => p.fail).length
      expect(seen.size, `round ${round}: one transaction for the group`).to.equal(1)
      expect(db.txid - txid).to.be.at.most(1)
      db.view((tx) => expect(contents(tx)).to.deep.equal(model))
      expectCheck(db)
    }
    expect(undone).to.be.greaterThan(10)
    await db.close()
    const again = await t.open({ pageSize: 1024 })
    again.view((tx) => expect(contents(tx)).to.deep.equal(model))
    expectCheck(again)
  })
})
