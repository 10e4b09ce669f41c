import { expect } from 'chai'
import { BTreeLevel } from '../../src/index.js'
import { expectCheckOk, useLocations } from '../helpers.js'

describe('btree-level: keys and values', () => {
  const { location, track } = useLocations()

  it('empty keys and empty values, at the root and in sublevels', async () => {
    const db = track(new BTreeLevel<Buffer, Buffer>(location(), { keyEncoding: 'buffer', valueEncoding: 'buffer' }))
    const sub = db.sublevel<Buffer, Buffer>('s', { keyEncoding: 'buffer', valueEncoding: 'buffer' })
    const empty = Buffer.alloc(0)
    await db.put(empty, Buffer.from('root empty key'))
    await db.put(Buffer.from('k'), empty)
    await sub.put(empty, Buffer.from('sublevel empty key'))
    expect((await db.get(empty))!.toString()).to.equal('root empty key')
    expect((await db.get(Buffer.from('k')))!.length).to.equal(0)
    expect((await sub.get(empty))!.toString()).to.equal('sublevel empty key')
    expect((await db.keys().all()).map((k) => k.toString())).to.deep.equal(['', '!s!', 'k'])
    // The sublevel's empty key is stored as an empty key in its bucket.
    expect(db.engine.view((tx) => tx.bucket('level/1')!.get(empty)?.toString())).to.equal('sublevel empty key')
    await db.del(empty)
    expect(await db.get(empty)).to.equal(undefined)
    expectCheckOk(db)
  })

  it('keys of 64 KiB sort exactly among short ones, at the root and in sublevels', async () => {
    const db = track(new BTreeLevel<Buffer, string>(location(), { keyEncoding: 'buffer' }))
    await db.open()
    expect(db.engine.maxKeySize).to.equal(65536)
    const long = (fill: number, last: number, size = 65536): Buffer =>
      Buffer.concat([Buffer.alloc(size - 1, fill), Buffer.of(last)])
    const keys = [
      Buffer.from('a'),
      long(0x61, 1),
      long(0x61, 2),
      Buffer.from('ab'),
      long(0x62, 0, 65535),
      Buffer.from('b'),
      Buffer.from('c'),
    ]
    await db.batch(keys.map((key, i) => ({ type: 'put' as const, key, value: String(i) })))
    const sorted = [...keys].sort(Buffer.compare)
    expect((await db.keys().all()).map((k) => k.toString('hex'))).to.deep.equal(sorted.map((k) => k.toString('hex')))
    expect(await db.get(long(0x61, 2))).to.equal('2')
    const sub = db.sublevel<Buffer, string>('s', { keyEncoding: 'buffer' })
    await sub.put(long(0x7a, 9), 'in a sublevel')
    expect(await sub.get(long(0x7a, 9))).to.equal('in a sublevel')
    // The limit applies to the key within its sublevel: the prefix does not count.
    expect(await db.keys({ gte: Buffer.from('!s!') as never, lt: Buffer.from('!s"') as never }).all()).to.have.length(1)
    const err = await db.put(Buffer.alloc(65537, 1), 'x').then(
      () => undefined,
      (e: { code?: string }) => e,
    )
    expect(err).to.have.property('code', 'LEVEL_INVALID_KEY')
    expectCheckOk(db)
  })
})
