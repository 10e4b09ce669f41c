import { expect } from 'chai'
import fs from 'node:fs'
import type { Database } from 'btree-store'
import { BTreeLevel } from '../../src/index.js'
import { dataFile } from '../../src/location.js'
import { expectCheckOk, useLocations } from '../helpers.js'

const text = (bytes: Uint8Array | undefined): string | undefined =>
  bytes === undefined ? undefined : Buffer.from(bytes).toString()

/** Every bucket of the Level namespace with its entries as strings (read through the engine). */
function bucketsOf(db: { engine: Database }): Record<string, Array<[string, string]>> {
  return db.engine.view((tx) => {
    const out: Record<string, Array<[string, string]>> = {}
    for (const name of tx.buckets()) {
      out[name] = [...tx.bucket(name)!.entries()].map(([k, v]) => [
        Buffer.from(k).toString('latin1'),
        Buffer.from(v).toString('latin1'),
      ])
    }
    return out
  })
}

describe('btree-level: sublevels are engine buckets', () => {
  const { location, track } = useLocations()

  it('stores each sublevel, nested ones too, in a bucket of its own, keys without the prefix', async () => {
    const db = track(new BTreeLevel(location()))
    const a = db.sublevel('a')
    const b = a.sublevel('b')
    await db.put('x', 'root')
    await a.put('y', 'in a')
    await b.put('z', 'in b')
    const buckets = bucketsOf(db)
    expect(buckets['level']).to.deep.equal([['x', 'root']])
    expect(buckets['level/1']).to.deep.equal([['y', 'in a']])
    expect(buckets['level/2']).to.deep.equal([['z', 'in b']])
    // The registry: one entry per prefix, and the token.
    expect(buckets['level/prefixes']!.filter(([k]) => k.length > 1)).to.deep.equal([
      ['!a!', 'level/1'],
      ['!a!!b!', 'level/2'],
    ])
    // No stored key carries a prefix.
    for (const name of ['level', 'level/1', 'level/2']) for (const [k] of buckets[name]!) expect(k).to.not.include('!')
    // The parent sees its children's entries under their prefixed keys, in byte order.
    expect(await db.iterator().all()).to.deep.equal([
      ['!a!!b!z', 'in b'],
      ['!a!y', 'in a'],
      ['x', 'root'],
    ])
    expect(await a.keys().all()).to.deep.equal(['!b!z', 'y'])
    expect(await db.keys({ reverse: true, limit: 2 }).all()).to.deep.equal(['x', '!a!y'])
    expect(await db.keys({ gt: '!a!!b!z', lte: 'x' }).all()).to.deep.equal(['!a!y', 'x'])
    expectCheckOk(db)
  })

  it('the file holds no prefixes: 1,000 sublevel entries, the prefix only in the registry', async () => {
    const db = new BTreeLevel(location())
    const sub = db.sublevel('prefix-under-test')
    await sub.batch(
      Array.from({ length: 1000 }, (_, i) => ({ type: 'put' as const, key: `key${i}`, value: 'v' })),
      { sync: true } as object,
    )
    await db.close()
    const bytes = fs.readFileSync(dataFile(location()))
    let count = 0
    for (let at = bytes.indexOf('!prefix-under-test!'); at !== -1; at = bytes.indexOf('!prefix-under-test!', at + 1))
      count++
    // The registry's entry, and at most a superseded copy of its page not yet reused.
    expect(count).to.be.within(1, 2)
    expect(bytes.indexOf('key999')).to.not.equal(-1)
  })

  it('routes by the registry in the file after a reopen, before any sublevel object exists', async () => {
    const db = new BTreeLevel(location())
    await db.sublevel('a').sublevel('b').put('k', 'v1')
    await db.sublevel('a').put('k', 'v2')
    await db.close()

    const again = track(new BTreeLevel(location()))
    expect(await again.get('!a!!b!k')).to.equal('v1')
    expect(await again.get('!a!k')).to.equal('v2')
    await again.put('!a!j', 'through the root')
    // '!a!!b!' got its bucket first (the first put went under it), so '!a!' has level/2.
    expect(text(again.engine.view((tx) => tx.bucket('level/2')!.get(Buffer.from('j'))))).to.equal('through the root')
    expect(await again.sublevel('a').keys().all()).to.deep.equal(['!b!k', 'j', 'k'])
    expect(await again.iterator().all()).to.deep.equal([
      ['!a!!b!k', 'v1'],
      ['!a!j', 'through the root'],
      ['!a!k', 'v2'],
    ])
    expectCheckOk(again)
  })

  it('moves entries written under a prefix before its sublevel existed into its bucket at its first put', async () => {
    const db = track(new BTreeLevel(location()))
    await db.batch([
      { type: 'put', key: '!c!1', value: 'early' },
      { type: 'put', key: '!c!!d!2', value: 'earlier child' },
      { type: 'put', key: '!cc', value: 'not under the prefix' },
    ])
    const c = db.sublevel('c')
    expect(await c.get('1')).to.equal('early')
    await c.put('3', 'late')
    const buckets = bucketsOf(db)
    expect(buckets['level']).to.deep.equal([['!cc', 'not under the prefix']])
    expect(buckets['level/1']).to.deep.equal([
      ['!d!2', 'earlier child'],
      ['1', 'early'],
      ['3', 'late'],
    ])
    expect(await c.sublevel('d').get('2')).to.equal('earlier child')
    await c.sublevel('d').put('4', 'x')
    expect(bucketsOf(db)['level/2']).to.deep.equal([
      ['2', 'earlier child'],
      ['4', 'x'],
    ])
    expectCheckOk(db)
  })

  it('clears a sublevel (children included) by dropping its buckets, leaving others alone', async () => {
    const db = track(new BTreeLevel(location()))
    const a = db.sublevel('a')
    const child = a.sublevel('child')
    const sibling = db.sublevel('b')
    const batch = []
    for (let i = 0; i < 2000; i++)
      batch.push({ type: 'put' as const, key: `k${String(i).padStart(5, '0')}`, value: 'v'.repeat(50) })
    await a.batch(batch)
    await child.batch(batch.slice(0, 500))
    await sibling.put('kept', 'yes')
    await db.put('root', 'yes')
    // stats() describes the last checkpoint (the engine journals commits in between).
    await db.engine.checkpoint()
    const before = db.engine.stats().reclaimingPages
    const txid = db.engine.txid

    await a.clear()

    expect(db.engine.txid).to.equal(txid + 1)
    const sizes = db.engine.view((tx) => Object.fromEntries(tx.buckets().map((n) => [n, tx.bucket(n)!.size])))
    expect(sizes).to.include({ 'level/1': 0, 'level/2': 0, 'level/3': 1, level: 1 })
    // The dropped buckets' pages wait to be reclaimed: nothing was deleted key by key.
    await db.engine.checkpoint()
    expect(db.engine.stats().reclaimingPages).to.be.greaterThan(before)
    expect(await db.keys().all()).to.deep.equal(['!b!kept', 'root'])
    await a.put('again', '1')
    expect(await a.keys().all()).to.deep.equal(['again'])
    expectCheckOk(db)
  })

  it('clears a range of a sublevel key by key and a limited clear in order', async () => {
    const db = track(new BTreeLevel(location()))
    const a = db.sublevel('a')
    await a.batch(['1', '2', '3', '4', '5'].map((key) => ({ type: 'put' as const, key, value: key })))
    await a.sublevel('n').put('x', 'nested')
    await a.clear({ gt: '1', lte: '3' })
    expect(await a.keys().all()).to.deep.equal(['!n!x', '1', '4', '5'])
    await a.clear({ reverse: true, limit: 2 })
    expect(await a.keys().all()).to.deep.equal(['!n!x', '1'])
    await db.clear({ lt: '!a!1' })
    expect(await db.keys().all()).to.deep.equal(['!a!1'])
    expectCheckOk(db)
  })

  it('commits a batch across sublevels atomically, with one root write event', async () => {
    const db = track(new BTreeLevel(location()))
    const a = db.sublevel('a')
    const b = a.sublevel('b', { valueEncoding: 'json' })
    const events: unknown[] = []
    db.on('write', (ops: unknown[]) => events.push(ops.length))
    const txid = (await db.open(), db.engine.txid)
    // abstract-level's types cannot express a `sublevel` option with another value type.
    const batch = db.batch.bind(db) as (ops: object[]) => Promise<void>
    await batch([
      { type: 'put', key: 'r', value: '1' },
      { type: 'put', sublevel: a, key: 'a', value: '2' },
      { type: 'put', sublevel: b, key: 'b', value: { json: true } },
    ])
    expect(db.engine.txid).to.equal(txid + 1)
    expect(events).to.deep.equal([3])
    expect(await b.get('b')).to.deep.equal({ json: true })
    expectCheckOk(db)
  })

  it('one snapshot covers every sublevel', async () => {
    const db = track(new BTreeLevel(location()))
    const a = db.sublevel('a')
    const b = db.sublevel('b')
    await a.put('k', 'old a')
    await b.put('k', 'old b')
    const snapshot = db.snapshot()
    await a.put('k', 'new a')
    await b.del('k')
    await db.sublevel('c').put('k', 'new bucket')
    expect(await a.get('k', { snapshot })).to.equal('old a')
    expect(await b.get('k', { snapshot })).to.equal('old b')
    expect(await db.sublevel('c').get('k', { snapshot })).to.equal(undefined)
    expect(await db.keys({ snapshot }).all()).to.deep.equal(['!a!k', '!b!k'])
    expect(await db.keys().all()).to.deep.equal(['!a!k', '!c!k'])
    await snapshot.close()
    expectCheckOk(db)
  })

  it('many sublevels: 300 buckets, routed by the longest prefix, a parent merges them all in order', async () => {
    const db = track(new BTreeLevel(location()))
    const subs = Array.from({ length: 300 }, (_, i) => db.sublevel(`s${i}`))
    await Promise.all(subs.map((sub, i) => sub.put('k', String(i))))
    // 300 sublevel buckets and the registry (the root bucket comes with the first root put).
    expect(db.engine.view((tx) => tx.buckets().length)).to.equal(301)
    const keys = await db.keys().all()
    expect(keys).to.deep.equal(subs.map((_, i) => `!s${i}!k`).sort())
    expect(await subs[123]!.iterator().all()).to.deep.equal([['k', '123']])
    await subs[7]!.clear()
    expect(await db.keys().all()).to.have.length(299)
    expectCheckOk(db)
  })

  it('works with custom separators and sublevels made before open', async () => {
    const db = track(new BTreeLevel(location()))
    const hash = db.sublevel('t', { separator: '#' })
    const nested = hash.sublevel(['x', 'y'], { separator: '$' })
    await nested.put('k', 'v')
    await hash.put('k', 'w')
    expect(await db.keys().all()).to.deep.equal(['#t#$x$$y$k', '#t#k'])
    const names = db.engine.view((tx) => tx.buckets())
    expect(names).to.include.members(['level/1', 'level/2'])
    expect(await nested.get('k')).to.equal('v')
    expectCheckOk(db)
  })
})
