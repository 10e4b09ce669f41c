import { expect } from 'chai'
import type { Savepoint, WriteBucket } from '../../src/base/types.js'
import { b, expectCheck, numKey, rejection, str, thrown, useTempDir } from './helpers.js'

describe('integration: transactions', () => {
  const t = useTempDir()

  it('a callback that throws rejects with that error and leaves nothing behind, pages included', async () => {
    const db = await t.open()
    await db.update((tx) => tx.createBucket('a').put(b('keep'), b('1')))
    const before = expectCheck(db).pages
    const boom = new Error('boom')
    const err = await rejection(
      db.update((tx) => {
        const a = tx.bucket('a')!
        for (let i = 0; i < 2000; i++) a.put(numKey(i), Buffer.alloc(100, i))
        a.put(b('big'), Buffer.alloc(50_000, 7))
        a.delete(b('keep'))
        tx.createBucket('new')
        throw boom
      }),
    )
    expect(err).to.equal(boom)
    db.view((tx) => {
      expect(tx.buckets()).to.deep.equal(['a'])
      expect(tx.bucket('a')!.size).to.equal(1)
      expect(str(tx.bucket('a')!.get(b('keep')))).to.equal('1')
    })
    const after = expectCheck(db).pages
    expect(after.total).to.equal(before.total)
    expect(after.reachable + after.free + after.pending).to.equal(after.total)
  })

  it('an async callback that rejects is undone too', async () => {
    const db = await t.open()
    await db.update((tx) => tx.createBucket('a'))
    const err = await rejection(
      db.update(async (tx) => {
        tx.bucket('a')!.put(b('k'), b('v'))
        await new Promise((r) => setTimeout(r, 5))
        throw new Error('later')
      }),
    )
    expect(err.message).to.equal('later')
    db.view((tx) => expect(tx.bucket('a')!.size).to.equal(0))
    expectCheck(db)
  })

  it('in one group, a callback that throws is undone alone: those before and after it commit', async () => {
    const db = await t.open()
    await db.update((tx) => tx.createBucket('a').put(b('keep'), b('1')))
    let leftOpen: unknown
    const txid = db.txid
    // The transaction object each callback was handed: one, undo or not (kysely-btree's session
    // tells a group's later statements from a new commit's by it).
    const seen: unknown[] = []
    const results = await Promise.allSettled([
      db.update((tx) => {
        seen.push(tx)
        tx.bucket('a')!.put(b('first'), b('1'))
      }),
      db.update((tx) => {
        seen.push(tx)
        const a = tx.bucket('a')!
        for (let i = 0; i < 500; i++) a.put(numKey(i), Buffer.alloc(100, i))
        a.delete(b('keep'))
        a.put(b('first'), b('overwritten'))
        tx.createBucket('bad')
        throw new Error('second')
      }),
      db.update((tx) => {
        seen.push(tx)
        // Sees the first callback's put, none of the second's.
        expect(str(tx.bucket('a')!.get(b('first')))).to.equal('1')
        expect(tx.bucket('a')!.get(b('keep'))).to.not.equal(undefined)
        expect(tx.bucket('bad')).to.equal(undefined)
        tx.createBucket('c').put(b('third'), b('3'))
        // A savepoint left open ends with its callback.
        leftOpen = tx.savepoint()
      }),
      db.update((tx) => {
        seen.push(tx)
        expect(thrown(() => tx.rollbackTo(leftOpen as Parameters<typeof tx.rollbackTo>[0])).code).to.equal(
          'BTREE_SAVEPOINT_INVALID',
        )
        tx.bucket('c')!.put(b('fourth'), b('4'))
        throw new Error('fourth')
      }),
      db.update((tx) => {
        seen.push(tx)
        tx.bucket('a')!.put(b('fifth'), b('5'))
      }),
    ])
    expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled'])
    expect(seen).to.have.length(5)
    for (const tx of seen) expect(tx).to.equal(seen[0], 'every callback of the group is handed the same transaction')
    expect(db.txid).to.equal(txid + 1, 'one group, one commit')
    db.view((tx) => {
      expect(tx.buckets()).to.deep.equal(['a', 'c'])
      const a = tx.bucket('a')!
      expect(a.size).to.equal(3)
      expect(str(a.get(b('first')))).to.equal('1')
      expect(str(a.get(b('keep')))).to.equal('1')
      expect(str(a.get(b('fifth')))).to.equal('5')
      expect(tx.bucket('c')!.size).to.equal(1)
      expect(str(tx.bucket('c')!.get(b('third')))).to.equal('3')
    })
    expectCheck(db)
    await db.close()
    const again = await t.open()
    again.view((tx) => expect(tx.bucket('a')!.size + tx.bucket('c')!.size).to.equal(4))
    expectCheck(again)
  })

  it('in one group, a callback that throws before writing leaves the transaction as it was: handles taken before stay usable', async () => {
    const db = await t.open()
    await db.update((tx) => tx.createBucket('a'))
    let held: WriteBucket | undefined
    let leftOpen: Savepoint | undefined
    const seen: unknown[] = []
    const results = await Promise.allSettled([
      db.update((tx) => {
        seen.push(tx)
        held = tx.bucket('a')!
        held.put(b('first'), b('1'))
      }),
      db.update((tx) => {
        seen.push(tx)
        leftOpen = tx.savepoint()
        expect(str(tx.bucket('a')!.get(b('first')))).to.equal('1')
        throw new Error('refused before writing')
      }),
      db.update((tx) => {
        seen.push(tx)
        // The first callback's handle: no undo ran, so it still names the live bucket.
        held!.put(b('third'), b('3'))
        // The savepoint it left open ended with it.
        expect(thrown(() => tx.rollbackTo(leftOpen!)).code).to.equal('BTREE_SAVEPOINT_INVALID')
      }),
    ])
    expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled'])
    for (const tx of seen) expect(tx).to.equal(seen[0])
    db.view((tx) => {
      expect(tx.bucket('a')!.size).to.equal(2)
      expect(str(tx.bucket('a')!.get(b('third')))).to.equal('3')
    })
    expectCheck(db)
  })

  it('in one group, a handle taken before an undo says it is stale, not that its bucket was deleted', async () => {
    const db = await t.open()
    await db.update((tx) => tx.createBucket('a'))
    let held: WriteBucket | undefined
    let err: ReturnType<typeof thrown> | undefined
    const results = await Promise.allSettled([
      db.update((tx) => {
        held = tx.bucket('a')!
        held.put(b('first'), b('1'))
      }),
      db.update((tx) => {
        tx.bucket('a')!.put(b('second'), b('2'))
        throw new Error('after writing')
      }),
      db.update((tx) => {
        err = thrown(() => held!.put(b('third'), b('3')))
        // The same bucket, taken again, is live and holds the first callback's put.
        expect(str(tx.bucket('a')!.get(b('first')))).to.equal('1')
      }),
    ])
    expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled'])
    expect(err?.code).to.equal('BTREE_BUCKET_NOT_FOUND')
    expect(err?.message).to.match(/taken before the group commit undid a failed update/)
    db.view((tx) => expect(tx.bucket('a')!.size).to.equal(1))
    expectCheck(db)
  })

  it('update resolves with the callback value', async () => {
    const db = await t.open()
    expect(await db.update((tx) => tx.createBucket('a').size + 41)).to.equal(41)
    expectCheck(db)
  })

  it('db.durability is the open option, full by default; a commit may name its own', async () => {
    const full = await t.open()
    expect(full.durability).to.equal('full')
    await full.close()
    const none = await t.open({ durability: 'none' })
    expect(none.durability).to.equal('none')
    await none.update((tx) => tx.createBucketIfNotExists('a').put(b('k'), b('v')), { durability: 'full' })
    expect(none.durability).to.equal('none')
    expectCheck(none)
  })

  it('explicit begin({ writable: true }): commit makes the writes visible, rollback drops them', async () => {
    const db = await t.open()
    const w = db.begin({ writable: true })
    w.createBucket('a').put(b('k'), b('v1'))
    expect(str(w.bucket('a')!.get(b('k')))).to.equal('v1')
    db.view((tx) => expect(tx.bucket('a')).to.equal(undefined))
    await w.commit()
    expect(w.closed).to.equal(true)
    expect(thrown(() => w.bucket('a')).code).to.equal('BTREE_TX_CLOSED')
    db.view((tx) => expect(str(tx.bucket('a')!.get(b('k')))).to.equal('v1'))

    const r = db.begin({ writable: true })
    r.bucket('a')!.put(b('k'), b('v2'))
    r.createBucket('b')
    r.rollback()
    expect(r.closed).to.equal(true)
    expect((await rejection(r.commit())).code).to.equal('BTREE_TX_CLOSED')
    db.view((tx) => {
      expect(str(tx.bucket('a')!.get(b('k')))).to.equal('v1')
      expect(tx.buckets()).to.deep.equal(['a'])
    })
    expectCheck(db)
  })

  it('a second begin({ writable: true }) is BTREE_BUSY; beginWrite() waits for the writer', async () => {
    const db = await t.open()
    const w = db.begin({ writable: true })
    expect(thrown(() => db.begin({ writable: true })).code).to.equal('BTREE_BUSY')
    let got = false
    const waiting = db.beginWrite().then((tx) => {
      got = true
      return tx
    })
    // Updates queue behind it too, in order.
    const order: string[] = []
    const upd = db.update((tx) => {
      order.push('update')
      expect(str(tx.bucket('a')!.get(b('k')))).to.equal('from-second')
    })
    await new Promise((r) => setTimeout(r, 20))
    expect(got).to.equal(false)
    w.createBucket('a').put(b('k'), b('from-first'))
    await w.commit()
    const second = await waiting
    order.push('second')
    expect(str(second.bucket('a')!.get(b('k')))).to.equal('from-first')
    second.bucket('a')!.put(b('k'), b('from-second'))
    await second.commit()
    await upd
    expect(order).to.deep.equal(['second', 'update'])
    expectCheck(db)
  })

  it('tryBegin() is undefined while the writer is taken and the write transaction once it is free', async () => {
    const db = await t.open({ durability: 'none' })
    const w = db.tryBegin()
    expect(w).to.not.equal(undefined)
    expect(w!.writable).to.equal(true)
    // An explicit transaction holds the writer.
    expect(db.tryBegin()).to.equal(undefined)
    w!.createBucket('a').put(b('k'), b('one'))
    const committed = w!.commit()
    // Its commit in flight holds it too, and so do queued updates until their commit settles.
    expect(db.tryBegin()).to.equal(undefined)
    await committed
    const upd = db.update((tx) => tx.bucket('a')!.put(b('k'), b('two')))
    expect(db.tryBegin()).to.equal(undefined)
    await upd
    const w2 = db.tryBegin()
    expect(w2).to.not.equal(undefined)
    expect(str(w2!.bucket('a')!.get(b('k')))).to.equal('two')
    w2!.bucket('a')!.put(b('k'), b('three'))
    await w2!.commit()
    // A rolled-back transaction frees the writer at once.
    const w3 = db.tryBegin()!
    w3.rollback()
    const w4 = db.tryBegin()
    expect(w4).to.not.equal(undefined)
    w4!.rollback()
    expect(db.view((tx) => str(tx.bucket('a')!.get(b('k'))))).to.equal('three')
    expectCheck(db)
  })

  it('tryBegin() on a closed database is BTREE_CLOSED, not undefined', async () => {
    const db = await t.open()
    await db.close()
    expect(thrown(() => db.tryBegin()).code).to.equal('BTREE_CLOSED')
  })

  it('a read snapshot is not writable: writes through it are BTREE_TX_READONLY', async () => {
    const db = await t.open()
    await db.update((tx) => tx.createBucket('a'))
    const r = db.begin()
    expect(r.writable).to.equal(false)
    const bucket = r.bucket('a') as unknown as { put(k: Uint8Array, v: Uint8Array): void }
    expect(thrown(() => bucket.put(b('k'), b('v'))).code).to.equal('BTREE_TX_READONLY')
    expect(thrown(() => (r as unknown as { createBucket(n: string): void }).createBucket('x')).code).to.equal(
      'BTREE_TX_READONLY',
    )
    expect(r.bucket('a')!.get(b('k'))).to.equal(undefined)
    r.close()
    expect(thrown(() => r.bucket('a')).code).to.equal('BTREE_TX_CLOSED')
    expectCheck(db)
  })

  // Regression: the writer was freed only after update()'s promise had settled, so code resuming
  // after `await db.update(...)` that began a write transaction got BTREE_BUSY.
  it('regression: begin({ writable: true }) right after await update() is not BTREE_BUSY', async () => {
    const db = await t.open()
    await db.update((tx) => tx.createBucket('a'))
    const w = db.begin({ writable: true })
    w.bucket('a')!.put(b('k'), b('v'))
    await w.commit()
    await db
      .update(() => {
        throw new Error('rolled back')
      })
      .catch(() => {})
    const w2 = db.begin({ writable: true })
    w2.rollback()
    expectCheck(db)
  })

  it('updates awaited one after another leave at most one pending immediate behind', async () => {
    // With durability 'none' a commit resolves without waiting on I/O, so the loop below never
    // lets the event loop reach its immediates: one scheduled per commit used to pile up.
    const db = await t.open({ durability: 'none' })
    await db.update((tx) => void tx.createBucket('k'))
    for (let i = 0; i < 500; i++) await db.update((tx) => tx.bucket('k')!.put(numKey(i % 50), b(`v${i}`)))
    const pending = process.getActiveResourcesInfo().filter((r) => r === 'Immediate').length
    expect(pending).to.be.at.most(1)
    expectCheck(db)
  })

  it('200 concurrent async updates incrementing counters lose nothing; readers in between see whole commits', async () => {
    const db = await t.open({ durability: 'none' })
    await db.update((tx) => {
      const c = tx.createBucket('counters')
      c.put(b('a'), Buffer.alloc(4))
      c.put(b('b'), Buffer.alloc(4))
    })
    const read = (
      tx: { bucket(n: string): { get(k: Uint8Array): Uint8Array | undefined } | undefined },
      k: string,
    ): number => Buffer.from(tx.bucket('counters')!.get(b(k))!).readUInt32LE(0)
    const snapshots: Array<{ tx: ReturnType<typeof db.begin>; a: number }> = []
    const updates: Array<Promise<void>> = []
    for (let i = 0; i < 200; i++) {
      updates.push(
        db.update(async (tx) => {
          const c = tx.bucket('counters')!
          const a = read(tx, 'a')
          if (i % 3 === 0) await new Promise((r) => setImmediate(r))
          const v = Buffer.alloc(4)
          v.writeUInt32LE(a + 1)
          c.put(b('a'), v)
          const w = Buffer.alloc(4)
          w.writeUInt32LE(read(tx, 'b') + 1)
          c.put(b('b'), w)
        }),
      )
      if (i % 10 === 0) {
        await new Promise((r) => setImmediate(r))
        db.view((tx) => expect(read(tx, 'a')).to.equal(read(tx, 'b')))
        const snap = db.begin()
        snapshots.push({ tx: snap, a: read(snap, 'a') })
      }
    }
    await Promise.all(updates)
    db.view((tx) => {
      expect(read(tx, 'a')).to.equal(200)
      expect(read(tx, 'b')).to.equal(200)
    })
    for (const s of snapshots) {
      expect(read(s.tx, 'a')).to.equal(s.a)
      expect(read(s.tx, 'b')).to.equal(s.a)
      s.tx.close()
    }
    expectCheck(db)
  })

  describe('savepoints', () => {
    it('rollbackTo undoes puts, deletes, bucket create and drop; the transaction goes on', async () => {
      const db = await t.open()
      await db.update((tx) => {
        const a = tx.createBucket('a')
        for (let i = 0; i < 300; i++) a.put(numKey(i), Buffer.alloc(200, i))
        tx.createBucket('gone').put(b('x'), b('y'))
      })
      await db.update((tx) => {
        const a = tx.bucket('a')!
        a.put(b('before'), b('1'))
        const sp = tx.savepoint()
        for (let i = 0; i < 300; i += 2) a.delete(numKey(i))
        a.put(numKey(1), b('changed'))
        a.put(b('big'), Buffer.alloc(20_000, 1))
        tx.createBucket('fresh').put(b('f'), b('f'))
        tx.deleteBucket('gone')
        expect(a.size).to.equal(152)
        tx.rollbackTo(sp)
        expect(a.size).to.equal(301)
        expect(a.get(numKey(0))).to.deep.equal(Buffer.alloc(200, 0))
        expect(a.get(numKey(1))).to.deep.equal(Buffer.alloc(200, 1))
        expect(a.get(b('big'))).to.equal(undefined)
        expect(tx.buckets()).to.deep.equal(['a', 'gone'])
        expect(str(tx.bucket('gone')!.get(b('x')))).to.equal('y')
        // The transaction, and the savepoint, go on.
        a.put(b('after'), b('2'))
        tx.rollbackTo(sp)
        expect(a.has(b('after'))).to.equal(false)
        a.put(b('after'), b('3'))
      })
      db.view((tx) => {
        const a = tx.bucket('a')!
        expect(a.size).to.equal(302)
        expect(str(a.get(b('before')))).to.equal('1')
        expect(str(a.get(b('after')))).to.equal('3')
        expect(tx.buckets()).to.deep.equal(['a', 'gone'])
      })
      expectCheck(db)
    })

    it('nested savepoints: rolling back an outer one invalidates the inner; release keeps changes', async () => {
      const db = await t.open()
      await db.update((tx) => {
        const a = tx.createBucket('a')
        const sp1 = tx.savepoint()
        a.put(b('1'), b('1'))
        const sp2 = tx.savepoint()
        a.put(b('2'), b('2'))
        const sp3 = tx.savepoint()
        a.put(b('3'), b('3'))
        tx.rollbackTo(sp2)
        expect([...a.entries()].map(([k]) => str(k))).to.deep.equal(['1'])
        expect(thrown(() => tx.rollbackTo(sp3)).code).to.equal('BTREE_SAVEPOINT_INVALID')
        a.put(b('4'), b('4'))
        tx.release(sp2)
        expect(thrown(() => tx.rollbackTo(sp2)).code).to.equal('BTREE_SAVEPOINT_INVALID')
        expect(thrown(() => tx.release(sp2)).code).to.equal('BTREE_SAVEPOINT_INVALID')
        const sp4 = tx.savepoint()
        a.put(b('5'), b('5'))
        tx.rollbackTo(sp1)
        expect(a.size).to.equal(0)
        expect(thrown(() => tx.rollbackTo(sp4)).code).to.equal('BTREE_SAVEPOINT_INVALID')
        a.put(b('6'), b('6'))
        tx.release(sp1)
      })
      db.view((tx) => expect([...tx.bucket('a')!.entries()].map(([k]) => str(k))).to.deep.equal(['6']))
      expectCheck(db)
    })

    it("another transaction's savepoint is BTREE_SAVEPOINT_INVALID", async () => {
      const db = await t.open()
      const w1 = db.begin({ writable: true })
      const sp = w1.savepoint()
      w1.rollback()
      const w2 = db.begin({ writable: true })
      expect(thrown(() => w2.rollbackTo(sp)).code).to.equal('BTREE_SAVEPOINT_INVALID')
      expect(thrown(() => w2.rollbackTo({ id: 1 })).code).to.equal('BTREE_SAVEPOINT_INVALID')
      w2.rollback()
      expectCheck(db)
    })

    it('rolling back over overflow values replaced and deleted frees exactly what it should', async () => {
      const db = await t.open({ pageSize: 1024 })
      await db.update((tx) => {
        const a = tx.createBucket('a')
        a.put(b('o1'), Buffer.alloc(5000, 1))
        a.put(b('o2'), Buffer.alloc(5000, 2))
      })
      await db.update((tx) => {
        const a = tx.bucket('a')!
        const sp = tx.savepoint()
        a.put(b('o1'), Buffer.alloc(3000, 3))
        a.delete(b('o2'))
        tx.rollbackTo(sp)
        a.put(b('o2'), Buffer.alloc(10, 4))
      })
      db.view((tx) => {
        expect(tx.bucket('a')!.get(b('o1'))).to.deep.equal(Buffer.alloc(5000, 1))
        expect(tx.bucket('a')!.get(b('o2'))).to.deep.equal(Buffer.alloc(10, 4))
      })
      expectCheck(db)
    })
  })
})
