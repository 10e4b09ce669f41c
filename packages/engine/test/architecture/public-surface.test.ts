import { expect } from 'chai'
import { MemoryFileSystem, open } from '../../src/index.js'

/**
 * The published Database is the API and nothing more: transactions reach the database through the
 * narrow TxContext and WriteTxEnd (src/tx/), and the durable state belongs to the Committer. The
 * `@ts-expect-error` lines make the build fail if one of these members becomes public again.
 */
describe('architecture: the published Database holds no internals', () => {
  it('has no pager, readers, assertOpen, commitExplicit, endWrite or lookupBucket', async () => {
    const db = await open('/surface.db', { fileSystem: new MemoryFileSystem(), lock: false })
    try {
      // @ts-expect-error not in the published type
      void db.pager
      // @ts-expect-error not in the published type
      void db.readers
      // @ts-expect-error not in the published type
      void db.assertOpen
      // @ts-expect-error not in the published type
      void db.commitExplicit
      // @ts-expect-error not in the published type
      void db.endWrite
      // @ts-expect-error not in the published type
      void db.lookupBucket
      for (const name of ['pager', 'readers', 'assertOpen', 'commitExplicit', 'endWrite', 'lookupBucket'])
        expect(name in db, name).to.equal(false)
      // What they served is still there, through the API.
      const tx = db.begin()
      expect(db.info().readers).to.deep.equal({ open: 1, oldestTxid: tx.txid })
      tx.close()
      expect(db.info().readers).to.deep.equal({ open: 0, oldestTxid: undefined })
      expect(db.check().ok).to.equal(true)
    } finally {
      await db.close()
    }
  })
})
