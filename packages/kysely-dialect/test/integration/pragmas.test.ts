import { expect } from 'chai'
import fs from 'node:fs'
import { useTempDir, VERSIONS } from './support.js'

/** Counts the fdatasync calls `fn` makes (the engine syncs a lone commit on the caller's thread, or on the pool). */
async function syncsDuring(fn: () => Promise<unknown>): Promise<number> {
  const inline = fs.fdatasyncSync
  const pooled = fs.fdatasync
  let count = 0
  fs.fdatasyncSync = (fd) => {
    count++
    inline(fd)
  }
  fs.fdatasync = ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
    count++
    pooled(fd, cb)
  }) as typeof fs.fdatasync
  try {
    await fn()
  } finally {
    fs.fdatasyncSync = inline
    fs.fdatasync = pooled
  }
  return count
}

for (const version of VERSIONS) {
  const { sql } = version
  describe(`integration (${version.name}): pragmas an application sets at startup`, () => {
    const t = useTempDir(version)

    it('journal_mode is wal and stays so; synchronous chooses whether a commit syncs; user_version survives reopen', async () => {
      let db = t.open()
      expect((await sql`pragma journal_mode`.execute(db)).rows).to.deep.equal([{ journal_mode: 'wal' }])
      expect((await sql`pragma journal_mode = delete`.execute(db)).rows).to.deep.equal([{ journal_mode: 'wal' }])
      await db.schema
        .createTable('t')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .execute()
      // The database's durability ('full' by default) is synchronous = FULL: each commit syncs.
      expect((await sql`pragma synchronous`.execute(db)).rows).to.deep.equal([{ synchronous: 2 }])
      expect(await syncsDuring(() => db.insertInto('t').values({ id: 1 }).execute())).to.be.greaterThan(0)
      await sql`pragma synchronous = normal`.execute(db)
      expect(await syncsDuring(() => db.insertInto('t').values({ id: 2 }).execute())).to.equal(0)
      expect(
        await syncsDuring(() => db.transaction().execute((trx) => trx.insertInto('t').values({ id: 3 }).execute())),
      ).to.equal(0)
      await sql`pragma synchronous = full`.execute(db)
      expect(await syncsDuring(() => db.insertInto('t').values({ id: 4 }).execute())).to.be.greaterThan(0)
      await sql`pragma user_version = 12`.execute(db)
      await db.destroy()
      db = t.open()
      expect((await sql`pragma user_version`.execute(db)).rows).to.deep.equal([{ user_version: 12 }])
      expect(await db.selectFrom('t').select('id').orderBy('id').execute()).to.deep.equal([
        { id: 1 },
        { id: 2 },
        { id: 3 },
        { id: 4 },
      ])
    })
  })
}
