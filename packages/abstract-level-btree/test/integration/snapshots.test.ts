import { expect } from 'chai'
import { BTreeLevel } from '../../src/index.js'
import { expectCheckOk, useLocations } from '../helpers.js'

describe('btree-level: snapshots', () => {
  const { location, track } = useLocations()

  it('an iterator reads the commit it was created on (implicit snapshot, taken synchronously)', async () => {
    const db = track(new BTreeLevel(location()))
    await db.batch([
      { type: 'put', key: 'a', value: '1' },
      { type: 'put', key: 'b', value: '2' },
    ])
    const it = db.iterator()
    const put = db.put('c', '3')
    const del = db.del('a')
    await Promise.all([put, del])
    expect(await it.all()).to.deep.equal([
      ['a', '1'],
      ['b', '2'],
    ])
    expect(await db.keys().all()).to.deep.equal(['b', 'c'])
    expectCheckOk(db)
  })

  it('a get issued before a write reads the state before it', async () => {
    const db = track(new BTreeLevel(location()))
    await db.put('k', 'old')
    const get = db.get('k')
    const put = db.put('k', 'new')
    expect(await get).to.equal('old')
    await put
    expect(await db.get('k')).to.equal('new')
    expect(db.getSync('k')).to.equal('new')
  })

  it('an explicit snapshot keeps its view until closed; getSync reads the newest commit', async () => {
    const db = track(new BTreeLevel(location()))
    await db.put('k', 'old')
    const snapshot = db.snapshot()
    await db.put('k', 'new')
    await db.put('other', 'x')
    expect(await db.get('k', { snapshot })).to.equal('old')
    expect(db.getSync('k', { snapshot })).to.equal('old')
    expect(db.getSync('k')).to.equal('new')
    expect(await db.getMany(['k', 'other'], { snapshot })).to.deep.equal(['old', undefined])
    expect(await db.has('other', { snapshot })).to.equal(false)
    expect(await db.hasMany(['k', 'other'])).to.deep.equal([true, true])
    expect(await db.iterator({ snapshot }).all()).to.deep.equal([['k', 'old']])
    // clear() with a snapshot deletes what the snapshot sees, not what came later.
    await db.clear({ snapshot })
    expect(await db.iterator().all()).to.deep.equal([['other', 'x']])
    await snapshot.close()
    expectCheckOk(db)
  })

  it('one-shot reads share a snapshot of the newest commit, released when a write settles', async () => {
    const db = track(new BTreeLevel(location()))
    await db.put('k', '1')
    expect(await db.get('k')).to.equal('1')
    expect(await db.has('k')).to.equal(true)
    expect(db.engine.info().readers.oldestTxid).to.equal(db.engine.txid)
    await db.put('k', '2')
    // No reader pins the pages the write freed.
    expect(db.engine.info().readers.oldestTxid).to.equal(undefined)
    expect(db.getSync('k')).to.equal('2')
    await db.close()
    expect(db.status).to.equal('closed')
  })

  it('iterators made between two commits share one snapshot, held until the last of them closes', async () => {
    const db = track(new BTreeLevel(location()))
    await db.batch([
      { type: 'put', key: 'a', value: '1' },
      { type: 'put', key: 'b', value: '2' },
    ])
    const first = db.iterator()
    const second = db.keys({ gt: 'a' })
    const committed = db.engine.txid
    await db.put('a', 'changed')
    await db.del('b')
    // The write retired the shared snapshot, but both iterators still read from it.
    expect(db.engine.info().readers.oldestTxid).to.equal(committed)
    expect(await first.next()).to.deep.equal(['a', '1'])
    await first.close()
    expect(db.engine.info().readers.oldestTxid).to.equal(committed)
    expect(await second.all()).to.deep.equal(['b'])
    // all() closed the last holder: nothing pins the pages the writes freed.
    expect(db.engine.info().readers.oldestTxid).to.equal(undefined)
    // A new iterator sees the newest commit.
    expect(await db.iterator().all()).to.deep.equal([['a', 'changed']])
    expect(db.engine.info().readers.oldestTxid).to.equal(db.engine.txid)
    await db.put('c', '3')
    expect(db.engine.info().readers.oldestTxid).to.equal(undefined)
    expectCheckOk(db)
  })

  it('values handed out are copies that later writes cannot change', async () => {
    const db = track(new BTreeLevel<string, Buffer>(location(), { valueEncoding: 'buffer' }))
    const written = Buffer.from('value')
    await db.put('k', written)
    written.fill(0)
    const got = (await db.get('k'))!
    expect(got.toString()).to.equal('value')
    got.fill(1)
    const [[, fromIterator]] = (await db.iterator().all()) as Array<[string, Buffer]>
    await db.put('k', Buffer.from('VALUE'))
    expect(fromIterator!.toString()).to.equal('value')
    expect((await db.get('k'))!.toString()).to.equal('VALUE')
  })

  it('close() closes open iterators and snapshots, and waits for writes in flight', async () => {
    const db = new BTreeLevel(location())
    await db.put('a', '1')
    const it = db.iterator()
    const snapshot = db.snapshot()
    const writes = Array.from({ length: 50 }, (_, i) => db.put(`k${i}`, 'v'))
    await db.close()
    await Promise.all(writes)
    expect((await it.next().catch((err: { code: string }) => err)) as { code: string }).to.have.property(
      'code',
      'LEVEL_ITERATOR_NOT_OPEN',
    )
    expect(() => snapshot.ref())
      .to.throw()
      .with.property('code', 'LEVEL_SNAPSHOT_NOT_OPEN')
    const again = track(new BTreeLevel(location()))
    expect(await again.keys().all()).to.have.length(51)
    expectCheckOk(again)
  })
})
