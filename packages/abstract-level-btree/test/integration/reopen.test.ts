import { expect } from 'chai'
import { BTreeLevel } from '../../src/index.js'
import { expectCheckOk, useLocations } from '../helpers.js'

describe('btree-level: reopen', () => {
  const { location, track } = useLocations()

  it('everything survives close and reopen: root, nested sublevels with json values, binary keys, clears', async () => {
    const db = new BTreeLevel(location())
    const users = db.sublevel<string, { name: string }>('users', { valueEncoding: 'json' })
    const tags = users.sublevel<Buffer, string>('tags', { keyEncoding: 'buffer' })
    await db.put('config', 'on')
    await users.batch([
      { type: 'put', key: 'u1', value: { name: 'Ada' } },
      { type: 'put', key: 'u2', value: { name: 'Grace' } },
    ])
    await tags.put(Buffer.from([0, 255, 1]), 'binary')
    await db.sublevel('gone').put('x', 'y')
    await db.sublevel('gone').clear()
    await db.close()

    // The same instance reopens too.
    await db.open()
    expect(await db.get('config')).to.equal('on')
    await db.close()

    const again = track(new BTreeLevel(location()))
    const users2 = again.sublevel<string, { name: string }>('users', { valueEncoding: 'json' })
    const tags2 = users2.sublevel<Buffer, string>('tags', { keyEncoding: 'buffer' })
    expect(await again.get('config')).to.equal('on')
    // (users2's own range also holds its child's entries, under '!tags!'.)
    expect(await users2.values({ gte: 'u' }).all()).to.deep.equal([{ name: 'Ada' }, { name: 'Grace' }])
    expect(await tags2.get(Buffer.from([0, 255, 1]))).to.equal('binary')
    expect(await again.sublevel('gone').keys().all()).to.deep.equal([])
    expect(await again.keys({ keyEncoding: 'buffer' }).all()).to.have.length(4)
    expectCheckOk(again)
  })

  it('reopens with the same page size and engine options', async () => {
    const db = new BTreeLevel(location(), { pageSize: 1024, cacheSize: 1 << 20 })
    await db.put('k', 'v')
    await db.close()
    const again = track(new BTreeLevel(location(), { pageSize: 65536 }))
    await again.open()
    expect(again.engine.pageSize).to.equal(1024)
    expect(await again.get('k')).to.equal('v')
  })
})
