import { expect } from 'chai'
import fs from 'node:fs'
import path from 'node:path'
import { open, type FileSystem } from 'btree-store'
import { ClassicLevel } from 'classic-level'
import { BTreeLevel, LevelRangeError, LevelTypeError, type BTreeLevelOptions } from '../../src/index.js'
import { dataFile } from '../../src/location.js'
import { expectCheckOk, hookedFileSystem, rejection, useLocations } from '../helpers.js'

/** The real file system, whose writes and syncs fail with EIO while `failing` is set. */
/** What `fn` throws (undefined when it returns). */
function caught(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  return undefined
}

function failingFileSystem(): { fs: FileSystem; fail: (on: boolean) => void } {
  let failing = false
  const eio = (): void => {
    if (failing) throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' })
  }
  return { fs: hookedFileSystem({ beforeWrite: eio, beforeSync: eio }), fail: (on) => (failing = on) }
}

describe('btree-level: errors map to Level codes with the engine error as cause', () => {
  const { location, track } = useLocations()

  it('a second open of a location fails as classic-level does: LEVEL_DATABASE_NOT_OPEN, cause LEVEL_LOCKED', async () => {
    const first = track(new BTreeLevel(location()))
    await first.put('k', 'v')
    const second = track(new BTreeLevel(location()))
    const err = await rejection(second.open())
    expect(err.code).to.equal('LEVEL_DATABASE_NOT_OPEN')
    expect(err.cause?.code).to.equal('LEVEL_LOCKED')
    expect((err.cause?.cause as { code?: string }).code).to.equal('BTREE_LOCKED')
    expect(await first.get('k')).to.equal('v')
    await first.close()
    await second.open()
    expect(await second.get('k')).to.equal('v')
  })

  it('createIfMissing: false, or readOnly, on a missing location fails with LEVEL_IO_ERROR and creates nothing', async () => {
    for (const options of [{ createIfMissing: false }, { readOnly: true }]) {
      const err = await rejection(track(new BTreeLevel(location('missing'), options)).open())
      expect(err.code).to.equal('LEVEL_DATABASE_NOT_OPEN')
      expect(err.cause?.code, JSON.stringify(options)).to.equal('LEVEL_IO_ERROR')
      expect(err.cause?.message).to.match(/does not exist/)
      expect(fs.existsSync(location('missing'))).to.equal(false)
    }
  })

  it('a location holding a classic-level database is refused, not shown empty', async () => {
    const classic = new ClassicLevel(location())
    await classic.put('k', 'v')
    await classic.close()
    const err = await rejection(track(new BTreeLevel(location())).open())
    expect(err.code).to.equal('LEVEL_DATABASE_NOT_OPEN')
    expect(err.cause?.code).to.equal('LEVEL_NOT_SUPPORTED')
    expect(err.cause?.message).to.match(/classic-level/)
    expect(fs.existsSync(dataFile(location()))).to.equal(false)
  })

  // Regression: the read-only open checked for a missing data.btree first and reported an existing
  // classic-level directory as LEVEL_IO_ERROR "does not exist".
  it('a read-only open (or createIfMissing: false) of a classic-level database is refused alike, not "does not exist"', async () => {
    const classic = new ClassicLevel(location())
    await classic.put('k', 'v')
    await classic.close()
    for (const options of [{ readOnly: true }, { createIfMissing: false }]) {
      const err = await rejection(track(new BTreeLevel(location(), options)).open())
      expect(err.code).to.equal('LEVEL_DATABASE_NOT_OPEN')
      expect(err.cause?.code, JSON.stringify(options)).to.equal('LEVEL_NOT_SUPPORTED')
      expect(err.cause?.message).to.match(/classic-level/)
    }
    expect(fs.existsSync(dataFile(location()))).to.equal(false)
  })

  it('errorIfExists: true on an existing database fails', async () => {
    const db = new BTreeLevel(location())
    await db.put('k', 'v')
    await db.close()
    const err = await rejection(track(new BTreeLevel(location(), { errorIfExists: true })).open())
    expect(err.code).to.equal('LEVEL_DATABASE_NOT_OPEN')
    expect(err.cause?.code).to.equal('LEVEL_DATABASE_EXISTS')
    expect(err.cause?.message).to.match(/exists/)
  })

  it('a damaged page gives LEVEL_CORRUPTION (cause BTREE_CORRUPTION), never wrong data', async () => {
    const db = new BTreeLevel(location())
    const batch = Array.from({ length: 500 }, (_, i) => ({
      type: 'put' as const,
      key: `key${String(i).padStart(4, '0')}`,
      value: 'x'.repeat(100),
    }))
    await db.batch(batch, { sync: true } as object)
    // Pages written since the last durable commit are verified at open, and a bad one rolls back
    // to that commit (FORMAT.md §8): the damage must hit the durable batch's leaves.
    await db.put('zzz', 'last')
    await db.close()
    // Flip a byte in the body of every leaf page (FORMAT.md §2: the type is byte 12, 3 = leaf).
    const file = dataFile(location())
    const bytes = fs.readFileSync(file)
    const pageSize = 4096
    let damaged = 0
    for (let at = 2 * pageSize; at < bytes.length; at += pageSize) {
      if (bytes[at + 12] === 3) {
        bytes[at + pageSize - 1] = bytes[at + pageSize - 1]! ^ 0xff
        damaged++
      }
    }
    expect(damaged).to.be.greaterThan(1)
    fs.writeFileSync(file, bytes)
    const reopened = track(new BTreeLevel(location()))
    const err = await rejection(reopened.open().then(() => reopened.iterator().all()))
    const level = err.code === 'LEVEL_DATABASE_NOT_OPEN' ? err.cause! : err
    expect(level.code).to.equal('LEVEL_CORRUPTION')
    expect((level.cause as { code?: string }).code).to.equal('BTREE_CORRUPTION')
  })

  it('a file that is not a database gives LEVEL_CORRUPTION when opened', async () => {
    fs.mkdirSync(location(), { recursive: true })
    fs.writeFileSync(dataFile(location()), Buffer.alloc(10000, 7))
    const err = await rejection(track(new BTreeLevel(location())).open())
    expect(err.code).to.equal('LEVEL_DATABASE_NOT_OPEN')
    expect(err.cause?.code).to.equal('LEVEL_CORRUPTION')
  })

  it('a failing disk gives LEVEL_IO_ERROR and loses nothing already committed', async () => {
    const { fs: failing, fail } = failingFileSystem()
    const engine = track(await open(location('io.db'), { fileSystem: failing }))
    const db = track(new BTreeLevel('io', { database: engine }))
    await db.put('kept', 'yes')
    fail(true)
    const err = await rejection(db.put('lost', 'no', { sync: true }))
    expect(err.code).to.equal('LEVEL_IO_ERROR')
    expect(err.cause).to.have.property('code', 'BTREE_IO')
    fail(false)
    expect(await db.get('kept')).to.equal('yes')
    expect(await db.get('lost')).to.equal(undefined)
    await db.put('after', 'ok')
    expect(await db.keys().all()).to.deep.equal(['after', 'kept'])
    expectCheckOk(db)
  })

  it('readOnly: reads work, writes fail with LEVEL_READONLY', async () => {
    const db = new BTreeLevel(location())
    await db.put('k', 'v')
    await db.close()
    const ro = track(new BTreeLevel(location(), { readOnly: true }))
    expect(await ro.get('k')).to.equal('v')
    const err = await rejection(ro.put('k', 'w'))
    expect(err.code).to.equal('LEVEL_READONLY')
    expect(err.cause).to.have.property('code', 'BTREE_TX_READONLY')
  })

  it('bad arguments to the constructor and the additional methods throw TypeErrors with code LEVEL_INVALID_ARGUMENT', async () => {
    const bad: Array<() => unknown> = [
      () => new BTreeLevel(''),
      () => new BTreeLevel('x', { database: {} as never }),
      () => new BTreeLevel('x', { namespace: '' }),
      () => track(new BTreeLevel(location())).getProperty(7 as never),
    ]
    for (const fn of bad) {
      expect(fn).to.throw(TypeError)
      expect(caught(fn)).to.have.property('code', 'LEVEL_INVALID_ARGUMENT')
    }
    for (const p of [BTreeLevel.destroy(''), BTreeLevel.repair(7 as never)]) {
      const err = await rejection(p)
      expect(err).to.be.instanceOf(TypeError)
      expect(err.code).to.equal('LEVEL_INVALID_ARGUMENT')
    }
  })

  // Regression: these reached the user with the engine's code, BTREE_INVALID_ARGUMENT, as the
  // cause of the failed open, where a Level user compares abstract-level's codes.
  it('bad engine options fail the open with cause LEVEL_INVALID_ARGUMENT (a RangeError or TypeError), the engine error its cause', async () => {
    const bad: Array<BTreeLevelOptions<string, string>> = [
      { pageSize: 1000 },
      { pageSize: 'big' as never },
      { cacheSize: -1 },
    ]
    for (const options of bad) {
      const err = await rejection(track(new BTreeLevel(location(), options)).open())
      expect(err.code).to.equal('LEVEL_DATABASE_NOT_OPEN')
      const engineError = err.cause?.cause
      expect(engineError, JSON.stringify(options)).to.have.property('code', 'BTREE_INVALID_ARGUMENT')
      expect(err.cause?.code).to.equal('LEVEL_INVALID_ARGUMENT')
      // Still the class the engine threw: a TypeError for a wrong type, a RangeError out of range.
      expect(err.cause).to.be.instanceOf(engineError instanceof TypeError ? TypeError : RangeError)
      expect(err.cause).to.be.instanceOf(engineError instanceof TypeError ? LevelTypeError : LevelRangeError)
    }
    // The refused opens leave no directory behind (nested ones included), and a directory that
    // was there before stays.
    expect(fs.existsSync(location())).to.equal(false)
    const nested = path.join(location('made'), 'a', 'b')
    await rejection(track(new BTreeLevel(nested, { pageSize: 1000 })).open())
    expect(fs.existsSync(location('made'))).to.equal(false)
    fs.mkdirSync(location('kept'))
    await rejection(track(new BTreeLevel(path.join(location('kept'), 'db'), { pageSize: 1000 })).open())
    expect(fs.readdirSync(location('kept'))).to.deep.equal([])
  })

  // Regression: a namespace too long for the engine's bucket names opened, and then failed every
  // read and write; it created an empty database file on the way.
  it('a namespace too long for an engine bucket name fails the open with LEVEL_INVALID_ARGUMENT (a RangeError), creating nothing', async () => {
    const tooLong = 'n'.repeat(2000)
    const refused = async (db: BTreeLevel<string, string>): Promise<void> => {
      const err = await rejection(db.open())
      expect(err.code).to.equal('LEVEL_DATABASE_NOT_OPEN')
      expect(err.cause).to.be.instanceOf(LevelRangeError)
      expect(err.cause?.code).to.equal('LEVEL_INVALID_ARGUMENT')
      expect(String(err.cause?.message)).to.match(
        /'namespace' option is too long: its bucket names take up to \d+ bytes, over the engine's limit of 992/,
      )
      expect(db.status).to.equal('closed')
    }
    // A new location: no directory, no file left behind.
    await refused(track(new BTreeLevel(location('new'), { namespace: tooLong })))
    expect(fs.existsSync(location('new'))).to.equal(false)
    // An existing database: refused, its data and files untouched.
    const first = track(new BTreeLevel(location('old')))
    await first.put('k', 'v')
    await first.close()
    const files = fs.readdirSync(location('old')).sort()
    await refused(track(new BTreeLevel(location('old'), { namespace: tooLong })))
    expect(fs.readdirSync(location('old')).sort()).to.deep.equal(files)
    const again = track(new BTreeLevel(location('old')))
    expect(await again.get('k')).to.equal('v')
    await again.close()
    // A shared engine database: refused, the engine still open.
    const engine = await open(dataFile(location('old')))
    try {
      await refused(track(new BTreeLevel('', { database: engine, namespace: tooLong })))
      expect(engine.closed).to.equal(false)
    } finally {
      await engine.close()
    }
    // The longest namespace that fits (992 bytes of names with 4 KiB pages: the namespace, '/' and
    // a ten-digit sublevel id) opens, and its sublevels work.
    const longest = track(new BTreeLevel(location('longest'), { namespace: 'n'.repeat(981) }))
    await longest.sublevel('s').put('k', 'v')
    expect(await longest.sublevel('s').get('k')).to.equal('v')
    await refused(track(new BTreeLevel(location('over'), { namespace: 'n'.repeat(982) })))
  })
})
