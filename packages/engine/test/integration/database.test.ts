import { expect } from 'chai'
import { runModule } from '../unit/io/node-module.js'
import fs from 'node:fs'
import { BTree, open } from '../../src/index.js'
import { b, expectCheck, GatedFileSystem, numKey, rejection, str, thrown, useTempDir } from './helpers.js'

const MiB = 1024 * 1024

describe('integration: database', () => {
  const t = useTempDir()

  it('a 1 MiB page cache stays within its limit while a 20+ MiB database is loaded and scanned', async function () {
    this.timeout(60_000)
    const db = await t.open({ cacheSize: MiB, durability: 'none' })
    let maxBytes = 0
    for (let batch = 0; batch < 10; batch++) {
      await db.update((tx) => {
        const a = tx.createBucketIfNotExists('a')
        for (let i = 0; i < 10_000; i++) a.put(numKey(batch * 10_000 + i), Buffer.alloc(200, i & 0xff))
      })
      maxBytes = Math.max(maxBytes, db.stats().cache.bytes)
    }
    // The commits since the last checkpoint go to pages too, so the scan below reads 20+ MiB of them.
    await db.checkpoint()
    expect(db.info().fileSize).to.be.greaterThan(20 * MiB)
    db.view((tx) => {
      let n = 0
      for (const [k, v] of tx.bucket('a')!.entries()) {
        if (n % 5000 === 0) {
          expect(str(k)).to.equal(numKey(n).toString())
          expect(v.length).to.equal(200)
        }
        n++
      }
      expect(n).to.equal(100_000)
      for (let i = 0; i < 2000; i++) tx.bucket('a')!.get(numKey((i * 7919) % 100_000))
    })
    const stats = db.stats()
    expect(stats.cache.limit).to.equal(MiB)
    maxBytes = Math.max(maxBytes, stats.cache.bytes)
    expect(maxBytes).to.be.at.most(MiB)
    expect(stats.cache.misses).to.be.greaterThan((20 * MiB) / db.pageSize)
    expectCheck(db)
  })

  for (const durability of ['none', 'full'] as const) {
    it(`durability '${durability}': commits persist after close and reopen`, async () => {
      const db = await t.open({ durability })
      for (let i = 0; i < 20; i++) await db.update((tx) => tx.createBucketIfNotExists('a').put(numKey(i), b(`v${i}`)))
      await db.update((tx) => tx.bucket('a')!.put(b('per-commit'), b('x')), {
        durability: durability === 'full' ? 'none' : 'full',
      })
      await db.close()
      const again = await t.open()
      again.view((tx) => {
        expect(tx.bucket('a')!.size).to.equal(21)
        expect(str(tx.bucket('a')!.get(numKey(19)))).to.equal('v19')
      })
      expectCheck(again)
    })
  }

  it('a closed database holds no cached pages, though a reference to it is kept', () => {
    // Off-heap bytes (the cache's pages) after a collection, in a child process that can collect.
    const index = JSON.stringify(new URL('../../src/index.js', import.meta.url).href)
    const r = runModule(
      ['--expose-gc'],
      `
      import { open } from ${index}
      import fs from 'node:fs'
      import os from 'node:os'
      import path from 'node:path'
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btree-closed-cache-'))
      const mib = () => { gc(); gc(); return process.memoryUsage().arrayBuffers / 1048576 }
      try {
        const db = await open(path.join(dir, 'c.db'))
        for (let s = 0; s < 40000; s += 2000)
          await db.update((tx) => { const b = tx.createBucketIfNotExists('b'); for (let i = s; i < s + 2000; i++) b.put(Buffer.from(String(i).padStart(10, '0')), Buffer.alloc(500, i)) })
        await db.checkpoint()
        db.view((tx) => { let n = 0; for (const _ of tx.bucket('b').entries()) n++; if (n !== 40000) throw new Error('entries ' + n) })
        const open_ = mib()
        await db.close()
        const closed = mib()
        console.log(JSON.stringify({ open: open_, closed, held: db.closed }))
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
      `,
    )
    expect(r.status, r.stderr).to.equal(0)
    const m = JSON.parse(r.stdout.trim()) as { open: number; closed: number; held: boolean }
    expect(m.held).to.equal(true)
    // ~22 MiB of pages cached while open; a few MiB (the process's own buffers) once closed.
    expect(m.open, 'cached while open').to.be.greaterThan(15)
    expect(m.closed, 'left after close').to.be.lessThan(m.open - 12)
  })

  it('readOnly: reads work, every write is BTREE_TX_READONLY', async () => {
    const w = await t.open()
    await w.update((tx) => tx.createBucket('a').put(b('k'), b('v')))
    await w.close()
    const db = await t.open({ readOnly: true })
    expect(db.readOnly).to.equal(true)
    db.view((tx) => expect(str(tx.bucket('a')!.get(b('k')))).to.equal('v'))
    expect((await rejection(db.update((tx) => tx.bucket('a')!.put(b('k'), b('x'))))).code).to.equal('BTREE_TX_READONLY')
    expect(thrown(() => db.begin({ writable: true })).code).to.equal('BTREE_TX_READONLY')
    expect((await rejection(db.beginWrite())).code).to.equal('BTREE_TX_READONLY')
    db.view((tx) => expect(str(tx.bucket('a')!.get(b('k')))).to.equal('v'))
    expectCheck(db)
  })

  it('readOnly open of a missing file fails, and does not create it', async () => {
    const err = await rejection(open(t.dir().file('missing.db'), { readOnly: true }))
    expect(err.code).to.equal('BTREE_IO')
    expect(fs.existsSync(t.dir().file('missing.db'))).to.equal(false)
  })

  it('close() waits for the commit in flight; afterwards everything throws BTREE_CLOSED', async () => {
    const fsys = new GatedFileSystem()
    // The sync of a lone commit on the caller's thread would not wait at the gate.
    const db = await open(t.dir().file(), { fileSystem: fsys, inlineSync: false })
    await db.update((tx) => tx.createBucket('a'))
    const snap = db.begin()
    fsys.hold()
    let committed = false
    void db
      .update((tx) => tx.bucket('a')!.put(b('k'), b('v')))
      .then(() => {
        committed = true
      })
    await fsys.waiting
    let closed = false
    const closing = db.close().then(() => {
      closed = true
    })
    await new Promise((r) => setTimeout(r, 20))
    expect(closed).to.equal(false)
    expect(committed).to.equal(false)
    fsys.release()
    await closing
    expect(committed).to.equal(true)
    expect(db.closed).to.equal(true)
    expect(thrown(() => db.view(() => 1)).code).to.equal('BTREE_CLOSED')
    expect(thrown(() => db.begin()).code).to.equal('BTREE_CLOSED')
    expect(thrown(() => db.begin({ writable: true })).code).to.equal('BTREE_CLOSED')
    expect((await rejection(db.update(() => 1))).code).to.equal('BTREE_CLOSED')
    expect((await rejection(db.beginWrite())).code).to.equal('BTREE_CLOSED')
    expect(thrown(() => db.check()).code).to.equal('BTREE_CLOSED')
    expect(thrown(() => db.stats()).code).to.equal('BTREE_CLOSED')
    expect(thrown(() => snap.bucket('a')).code).to.equal('BTREE_CLOSED')
    await db.close()
    const again = await t.open()
    again.view((tx) => expect(str(tx.bucket('a')!.get(b('k')))).to.equal('v'))
    expectCheck(again)
  })

  it('close() rolls back an explicit write transaction left open', async () => {
    const db = await open(t.dir().file())
    const w = db.begin({ writable: true })
    w.createBucket('a')
    await db.close()
    expect(w.closed).to.equal(true)
    const again = await t.open()
    again.view((tx) => expect(tx.buckets()).to.deep.equal([]))
    expectCheck(again)
  })

  it('a second writable open of the same file is BTREE_LOCKED', async () => {
    const db = await t.open()
    expect((await rejection(open(t.dir().file()))).code).to.equal('BTREE_LOCKED')
    expectCheck(db)
  })

  describe('the Rust-compatible BTree API', () => {
    it('newBucket, bucket, put/get/delete/iter; reads see uncommitted writes; commit makes them durable', async () => {
      const tree = await BTree.open(t.dir().file())
      const users = tree.newBucket('users')
      users.put(b('b'), b('2'))
      users.put(b('a'), b('1'))
      users.put(b('c'), b('3'))
      expect(str(users.get(b('a')))).to.equal('1')
      expect(users.delete(b('c'))).to.equal(true)
      expect(users.delete(b('c'))).to.equal(false)
      expect([...users.iter()].map(([k, v]) => `${str(k)}=${str(v)}`)).to.deep.equal(['a=1', 'b=2'])
      expect(tree.bucket('users').name).to.equal('users')
      expect(thrown(() => tree.bucket('nope')).code).to.equal('BTREE_BUCKET_NOT_FOUND')
      // Not visible to readers until commit.
      tree.db.view((tx) => expect(tx.bucket('users')).to.equal(undefined))
      await tree.commit()
      tree.db.view((tx) => expect(str(tx.bucket('users')!.get(b('b')))).to.equal('2'))
      expectCheck(tree.db)
      await tree.close()
      const again = await BTree.open(t.dir().file())
      expect(str(again.bucket('users').get(b('a')))).to.equal('1')
      // newBucket of an existing bucket returns it.
      expect(str(again.newBucket('users').get(b('b')))).to.equal('2')
      await again.close()
    })

    it('rollback drops uncommitted writes; deleteBucket; close drops what was not committed', async () => {
      const tree = await BTree.open(t.dir().file())
      tree.newBucket('a').put(b('k'), b('v'))
      await tree.commit()
      tree.bucket('a').put(b('k'), b('changed'))
      tree.newBucket('b').put(b('x'), b('y'))
      tree.rollback()
      expect(str(tree.bucket('a').get(b('k')))).to.equal('v')
      expect(thrown(() => tree.bucket('b')).code).to.equal('BTREE_BUCKET_NOT_FOUND')
      tree.deleteBucket('a')
      expect(thrown(() => tree.bucket('a')).code).to.equal('BTREE_BUCKET_NOT_FOUND')
      await tree.commit()
      tree.newBucket('c').put(b('1'), b('1'))
      expectCheck(tree.db)
      await tree.close()
      const again = await BTree.open(t.dir().file())
      again.db.view((tx) => expect(tx.buckets()).to.deep.equal([]))
      expectCheck(again.db)
      await again.close()
    })
  })
})
