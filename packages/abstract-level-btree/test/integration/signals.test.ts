import { expect } from 'chai'
import { BTreeLevel } from '../../src/index.js'
import { expectCheckOk, useLocations } from '../helpers.js'

/** Keys k00000, k00001, ... with values v0, v1, ... */
function entries(n: number): Array<{ type: 'put'; key: string; value: string }> {
  return Array.from({ length: n }, (_, i) => ({ type: 'put', key: `k${String(i).padStart(5, '0')}`, value: `v${i}` }))
}

async function rejection(promise: Promise<unknown>): Promise<{ code?: unknown; name?: unknown; cause?: unknown }> {
  try {
    await promise
  } catch (err) {
    return err as { code?: unknown; name?: unknown; cause?: unknown }
  }
  throw new Error('expected the read to reject')
}

describe('btree-level: iterator signals (supports.signals.iterators)', () => {
  const { location, track } = useLocations()

  it('says so in its manifest', () => {
    const db = track(new BTreeLevel(location()))
    expect(db.supports.signals.iterators).to.equal(true)
  })

  it('a long all() lets the event loop turn, and a timer that aborts it rejects it with LEVEL_ABORTED', async () => {
    const db = track(new BTreeLevel(location()))
    await db.batch(entries(20_000))
    const ac = new AbortController()
    const reason = new Error('request cancelled')
    const it = db.iterator({ signal: ac.signal })
    // Read synchronously to the end, all() would settle before this runs.
    setImmediate(() => ac.abort(reason))
    const err = await rejection(it.all())
    expect(err.code).to.equal('LEVEL_ABORTED')
    expect(err.name).to.equal('AbortError')
    expect(err.cause).to.equal(reason)
    expectCheckOk(db)
  })

  it('so does a long nextv(), and the iterator then rejects every read until it is closed', async () => {
    const db = track(new BTreeLevel(location()))
    await db.batch(entries(20_000))
    const ac = new AbortController()
    const it = db.values({ signal: ac.signal })
    expect(await it.nextv(2)).to.deep.equal(['v0', 'v1'])
    setImmediate(() => ac.abort())
    expect((await rejection(it.nextv(20_000))).code).to.equal('LEVEL_ABORTED')
    // Aborting does not close the iterator (abstract-level: closing may fail and needs a place to report).
    expect((await rejection(it.next())).code).to.equal('LEVEL_ABORTED')
    await it.close()
    expectCheckOk(db)
  })

  it('a signal that never aborts changes nothing that is read, across slices, limits and directions', async () => {
    const db = track(new BTreeLevel(location()))
    const sub = db.sublevel('sub')
    await db.batch(entries(2_600))
    await sub.batch(entries(1_200))
    const { signal } = new AbortController()
    for (const options of [
      {},
      { limit: 1_500 },
      { reverse: true },
      { gte: 'k00100', lt: 'k02400' },
      { limit: 2_000, reverse: true },
    ]) {
      expect(await db.iterator({ ...options, signal }).all()).to.deep.equal(await db.iterator(options).all())
      expect(await db.keys({ ...options, signal }).all()).to.deep.equal(await db.keys(options).all())
      expect(await db.values({ ...options, signal }).all()).to.deep.equal(await db.values(options).all())
      expect(await sub.iterator({ ...options, signal }).all()).to.deep.equal(await sub.iterator(options).all())
    }
    const plain = db.iterator()
    const withSignal = db.iterator({ signal })
    for (const size of [1, 999, 1_000, 1_001, 2_500]) {
      expect(await withSignal.nextv(size)).to.deep.equal(await plain.nextv(size))
    }
    expect(await withSignal.next()).to.deep.equal(await plain.next())
    await Promise.all([plain.close(), withSignal.close()])
    expectCheckOk(db)
  })

  it('an abort while next() is in progress rejects it (a read settled before keeps its result)', async () => {
    const db = track(new BTreeLevel(location()))
    await db.batch(entries(3))
    const ac = new AbortController()
    const it = db.keys({ signal: ac.signal })
    expect(await it.next()).to.equal('k00000')
    const pending = it.next()
    ac.abort()
    expect((await rejection(pending)).code).to.equal('LEVEL_ABORTED')
    await it.close()
  })
})
