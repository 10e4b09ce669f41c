import { expect } from 'chai'
import fs from 'node:fs'
import { open } from 'btree-store'
import { BTreeLevel, DATA_FILE } from '../../src/index.js'
import { dataFile } from '../../src/location.js'
import { expectCheckOk, rejection, useLocations } from '../helpers.js'

describe('btree-level: additional methods and options', () => {
  const { location, track } = useLocations()

  it('location is a directory holding data.btree, its journal and, while open, the lock file', async () => {
    const db = track(new BTreeLevel(location('nested/dir')))
    expect(db.location).to.equal(location('nested/dir'))
    await db.open()
    expect(fs.readdirSync(location('nested/dir')).sort()).to.deep.equal([
      DATA_FILE,
      `${DATA_FILE}-journal`,
      `${DATA_FILE}-lock`,
    ])
    await db.close()
    expect(fs.readdirSync(location('nested/dir')).sort()).to.deep.equal([DATA_FILE, `${DATA_FILE}-journal`])
    expect(db.supports.additionalMethods).to.deep.equal({
      approximateSize: true,
      compactRange: true,
      getProperty: true,
    })
  })

  it('approximateSize, compactRange and getProperty', async () => {
    const db = track(new BTreeLevel(location()))
    await db.batch(
      Array.from({ length: 10 }, (_, i) => ({ type: 'put' as const, key: `k${i}`, value: 'v'.repeat(10) })),
    )
    await db.sublevel('s').put('x', 'y')
    expect(await db.approximateSize('k0', 'k5')).to.equal(5 * (2 + 10))
    expect(await db.approximateSize('!', 'k')).to.equal(4 + 1)
    await db.compactRange('a', 'z')
    expect(JSON.parse(db.getProperty('btree.stats')).buckets.map((b: { name: string }) => b.name)).to.include('level')
    expect(Number(db.getProperty('btree.txid'))).to.equal(db.engine.txid)
    expect(JSON.parse(db.getProperty('btree.check')).ok).to.equal(true)
    expect(db.getProperty('leveldb.stats')).to.equal('')
    await db.close()
    expect(() => db.getProperty('btree.txid'))
      .to.throw()
      .with.property('code', 'LEVEL_DATABASE_NOT_OPEN')
  })

  it('destroy removes a database (not while it is open)', async () => {
    const db = new BTreeLevel(location())
    await db.put('k', 'v')
    const err = await rejection(BTreeLevel.destroy(location()))
    expect(err.code).to.equal('LEVEL_LOCKED')
    await db.close()
    // A checkpoint that ran in the background left the second journal file (the engine's FORMAT.md §11).
    const file = dataFile(location())
    const engine = await open(file, { journalSize: 64 * 1024 })
    for (let i = 0; !fs.existsSync(`${file}-journal2`); i++) {
      expect(i).to.be.lessThan(1000)
      await engine.update((tx) => tx.bucket('level')!.put(Buffer.from(`k${i}`), Buffer.alloc(1000)))
    }
    await engine.close()
    await BTreeLevel.destroy(location())
    expect(fs.existsSync(location())).to.equal(false)
    await BTreeLevel.destroy(location())
  })

  it('repair leaves a sound file alone and rebuilds a damaged one from what can be read', async () => {
    const db = new BTreeLevel(location())
    const batch = Array.from({ length: 2000 }, (_, i) => ({
      type: 'put' as const,
      key: `k${String(i).padStart(4, '0')}`,
      value: 'x'.repeat(100),
    }))
    await db.batch(batch, { sync: true } as object)
    // A checkpoint (compactRange here, then the close's, which rewrites only the last leaf) is
    // durable before its meta is written (the engine's FORMAT.md §11): open trusts it, and the
    // damage below is found by check() and repaired, never skipped.
    await db.compactRange('', '\uffff')
    await db.put('zzz', 'last')
    await db.close()
    await BTreeLevel.repair(location())
    expect(fs.existsSync(`${dataFile(location())}.damaged`)).to.equal(false)

    // Damage one leaf in the middle of the key space (FORMAT.md §2: type byte 12, 3 = leaf).
    const file = dataFile(location())
    const bytes = fs.readFileSync(file)
    const leaves: number[] = []
    for (let at = 2 * 4096; at < bytes.length; at += 4096) if (bytes[at + 12] === 3) leaves.push(at)
    const victim = leaves[Math.floor(leaves.length / 2)]!
    bytes[victim + 4000] = bytes[victim + 4000]! ^ 0xff
    fs.writeFileSync(file, bytes)

    await BTreeLevel.repair(location())
    expect(fs.existsSync(`${file}.damaged`)).to.equal(true)
    const repaired = track(new BTreeLevel(location()))
    const keys = await repaired.keys().all()
    expect(keys.length).to.be.greaterThan(1000).and.lessThan(2000)
    expect(keys[0]).to.equal('k0000')
    expect(keys[keys.length - 1]).to.equal('zzz')
    expectCheckOk(repaired)
  })

  it('database: Level data in buckets of an engine database shared with others, left open on close', async () => {
    const engine = track(await open(location('shared.db')))
    await engine.update((tx) => tx.createBucket('mine').put(Buffer.from('a'), Buffer.from('b')))
    const one = new BTreeLevel('one', { database: engine })
    const two = new BTreeLevel('two', { database: engine, namespace: 'other' })
    await one.sublevel('s').put('k', 'one')
    await two.put('k', 'two')
    expect(await one.keys().all()).to.deep.equal(['!s!k'])
    expect(await two.keys().all()).to.deep.equal(['k'])
    await one.close()
    await two.close()
    expect(engine.closed).to.equal(false)
    // Buckets are made at the first put that needs them: `one` wrote only through its sublevel.
    expect(engine.view((tx) => tx.buckets())).to.deep.equal(['level/1', 'level/prefixes', 'mine', 'other'])
    const check = engine.check()
    expect(check.ok).to.equal(true)
    const again = track(new BTreeLevel('one', { database: engine }))
    expect(await again.get('!s!k')).to.equal('one')
    expectCheckOk(again)
  })
})
