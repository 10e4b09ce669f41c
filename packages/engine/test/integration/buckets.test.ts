import { expect } from 'chai'
import { open } from '../../src/index.js'
import { b, expectCheck, str, thrown, useTempDir } from './helpers.js'

describe('integration: reopen and buckets', () => {
  const t = useTempDir()

  it('data, buckets and txid survive close and reopen', async () => {
    const db = await t.open()
    await db.update((tx) => {
      const users = tx.createBucket('users')
      for (let i = 0; i < 500; i++) users.put(b(`user${i}`), b(`name${i}`))
      tx.createBucket('empty')
    })
    const txid = db.txid
    await db.close()
    const again = await t.open()
    expect(again.txid).to.be.at.least(txid)
    again.view((tx) => {
      expect(tx.buckets()).to.deep.equal(['empty', 'users'])
      const users = tx.bucket('users')!
      expect(users.size).to.equal(500)
      expect(str(users.get(b('user123')))).to.equal('name123')
      expect(tx.bucket('empty')!.size).to.equal(0)
    })
    expectCheck(again)
  })

  it('createBucket of an existing bucket throws BTREE_BUCKET_EXISTS; createBucketIfNotExists returns it', async () => {
    const db = await t.open()
    await db.update((tx) => tx.createBucket('x').put(b('k'), b('v')))
    await db.update((tx) => {
      expect(thrown(() => tx.createBucket('x')).code).to.equal('BTREE_BUCKET_EXISTS')
      const again = tx.createBucketIfNotExists('x')
      expect(str(again.get(b('k')))).to.equal('v')
      const fresh = tx.createBucketIfNotExists('y')
      expect(fresh.size).to.equal(0)
      expect(thrown(() => tx.createBucket('y')).code).to.equal('BTREE_BUCKET_EXISTS')
    })
    db.view((tx) => expect(tx.buckets()).to.deep.equal(['x', 'y']))
    expectCheck(db)
  })

  it('deleteBucket removes a bucket and its data; a missing one is BTREE_BUCKET_NOT_FOUND', async () => {
    const db = await t.open()
    await db.update((tx) => {
      for (const n of ['a', 'b', 'c']) tx.createBucket(n).put(b('k'), b(n))
    })
    await db.update((tx) => {
      tx.deleteBucket('b')
      expect(tx.bucket('b')).to.equal(undefined)
      expect(tx.buckets()).to.deep.equal(['a', 'c'])
      expect(thrown(() => tx.deleteBucket('b')).code).to.equal('BTREE_BUCKET_NOT_FOUND')
      expect(thrown(() => tx.deleteBucket('nope')).code).to.equal('BTREE_BUCKET_NOT_FOUND')
    })
    db.view((tx) => {
      expect(tx.buckets()).to.deep.equal(['a', 'c'])
      expect(tx.bucket('b')).to.equal(undefined)
    })
    // Recreated, it starts empty.
    await db.update((tx) => expect(tx.createBucket('b').size).to.equal(0))
    expectCheck(db)
  })

  it('a handle to a bucket deleted in the same transaction throws BTREE_BUCKET_NOT_FOUND', async () => {
    const db = await t.open()
    await db.update((tx) => tx.createBucket('a').put(b('k'), b('v')))
    await db.update((tx) => {
      const a = tx.bucket('a')!
      tx.deleteBucket('a')
      expect(thrown(() => a.get(b('k'))).code).to.equal('BTREE_BUCKET_NOT_FOUND')
      expect(thrown(() => a.put(b('k'), b('v'))).code).to.equal('BTREE_BUCKET_NOT_FOUND')
    })
    expectCheck(db)
  })

  it('buckets() lists names in byte order of their UTF-8 encoding', async () => {
    const db = await t.open()
    // UTF-16 order would put '\uffff' before the astral '😀' (a surrogate pair); UTF-8 order does not.
    const names = ['b', 'a', 'B', 'ä', '\uffff', '😀', 'aa', 'a b', '名']
    await db.update((tx) => {
      for (const n of names) tx.createBucket(n)
    })
    const want = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))
    db.view((tx) => expect(tx.buckets()).to.deep.equal(want))
    await db.update((tx) => {
      tx.createBucket('0')
      tx.deleteBucket('ä')
      expect(tx.buckets()).to.deep.equal(['0', ...want.filter((n) => n !== 'ä')])
    })
    await db.close()
    const again = await t.open()
    again.view((tx) => expect(tx.buckets()).to.deep.equal(['0', ...want.filter((n) => n !== 'ä')]))
    expectCheck(again)
  })

  it('validates bucket names: empty or too long is BTREE_BUCKET_NAME_INVALID, a non-string a TypeError', async () => {
    const db = await t.open()
    await db.update((tx) => {
      expect(thrown(() => tx.createBucket('')).code).to.equal('BTREE_BUCKET_NAME_INVALID')
      expect(thrown(() => tx.createBucket('x'.repeat(db.maxKeySize + 1))).code).to.equal('BTREE_BUCKET_NAME_INVALID')
      expect(thrown(() => tx.createBucket('x'.repeat(db.maxBucketNameSize + 1))).code).to.equal(
        'BTREE_BUCKET_NAME_INVALID',
      )
      // The limit is in UTF-8 bytes, not characters.
      expect(thrown(() => tx.createBucket('é'.repeat(Math.ceil((db.maxKeySize + 1) / 2)))).code).to.equal(
        'BTREE_BUCKET_NAME_INVALID',
      )
      const err = thrown(() => tx.createBucket(42 as unknown as string))
      expect(err).to.be.instanceOf(TypeError)
      expect(err.code).to.equal('BTREE_INVALID_ARGUMENT')
      expect(thrown(() => tx.bucket('')).code).to.equal('BTREE_BUCKET_NAME_INVALID')
      tx.createBucket('x'.repeat(db.maxBucketNameSize)).put(b('k'), b('v'))
    })
    db.view((tx) => expect(tx.buckets()).to.deep.equal(['x'.repeat(db.maxBucketNameSize)]))
    expectCheck(db)
  })

  // Regression: a bucket name of maxKeySize bytes made its catalog record go to an overflow page;
  // lookups then reported BTREE_CORRUPTION and check() found the record's pages leaked. Names are
  // now limited to maxBucketNameSize (maxKeySize less the record's excess over an overflow
  // reference) so the record always stays inline.
  it('regression: the longest allowed bucket name keeps its catalog record inline (page sizes 1024 and 4096)', async () => {
    for (const pageSize of [1024, 4096]) {
      const db = await t.open({ pageSize }, `names-${pageSize}.db`)
      const longest = 'n'.repeat(db.maxBucketNameSize)
      await db.update((tx) => tx.createBucket(longest).put(b('k'), b('v')))
      await db.update((tx) => tx.bucket(longest)!.put(b('k2'), b('v2')))
      db.view((tx) => expect(tx.bucket(longest)!.size).to.equal(2))
      expectCheck(db)
      await db.update((tx) => {
        expect(thrown(() => tx.createBucket(longest + 'n')).code).to.equal('BTREE_BUCKET_NAME_INVALID')
      })
    }
  })

  it('many buckets (a catalog deeper than one page) survive reopen', async () => {
    const db = await t.open({ pageSize: 1024 })
    await db.update((tx) => {
      for (let i = 0; i < 600; i++) tx.createBucket(`bucket-${String(i).padStart(4, '0')}`).put(b('i'), b(String(i)))
    })
    await db.update((tx) => {
      for (let i = 0; i < 600; i += 2) tx.deleteBucket(`bucket-${String(i).padStart(4, '0')}`)
    })
    await db.close()
    const again = await open(t.dir().file(), {})
    try {
      again.view((tx) => {
        const names = tx.buckets()
        expect(names).to.have.length(300)
        expect(names[0]).to.equal('bucket-0001')
        expect(str(tx.bucket('bucket-0599')!.get(b('i')))).to.equal('599')
      })
      expectCheck(again)
    } finally {
      await again.close()
    }
  })
})
