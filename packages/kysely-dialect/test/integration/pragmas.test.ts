import { expect } from 'chai'
import fs from 'node:fs'
import { open, type Database } from 'btree-store'
import type { BTreeAdapter } from '../../src/index.js'
import { useTempDir, VERSIONS, type AnyDB } from './support.js'

function engineOf(db: AnyDB): Database {
  return (db.getExecutor().adapter as BTreeAdapter).driver.database!
}

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

    it('recursive_triggers: off, and turning it on is refused; case_sensitive_like is per connection, streams too', async () => {
      const db = t.open()
      expect((await sql`pragma recursive_triggers`.execute(db)).rows).to.deep.equal([{ recursive_triggers: 0 }])
      const on = await sql`pragma recursive_triggers = on`.execute(db).then(
        () => undefined,
        (e: unknown) => (e as { code?: string }).code,
      )
      expect(on).to.equal('BTREE_SQL_UNSUPPORTED')
      const other = t.open({}, 'other.db')
      await sql`pragma case_sensitive_like = true`.execute(db)
      const likes = async (k: typeof db) => (await sql`select 'X' like 'x' as m`.execute(k)).rows
      expect(await likes(db)).to.deep.equal([{ m: 0 }])
      expect(await likes(other)).to.deep.equal([{ m: 1 }])
      await sql`create table s (t text)`.execute(db)
      await sql`insert into s values ('Ab'), ('ab'), ('AB')`.execute(db)
      const streamed: unknown[] = []
      for await (const row of db
        .selectFrom('s')
        .select('t')
        .where(sql<boolean>`t like 'a%'`)
        .stream(1)) {
        // A statement of another connection between two chunks does not change this stream's LIKE.
        await likes(other)
        streamed.push(row)
      }
      expect(streamed).to.deep.equal([{ t: 'ab' }])
    })

    it('cache_size, mmap_size, wal_autocheckpoint, locking_mode: SQLite defaults, kept per connection', async () => {
      let db = t.open()
      const rows = async (text: string) => (await sql.raw(text).execute(db)).rows
      // Stock SQLite's defaults (better-sqlite3 builds with cache_size -16000).
      expect(await rows('pragma cache_size')).to.deep.equal([{ cache_size: -2000 }])
      expect(await rows('pragma cache_size = -64000')).to.deep.equal([])
      expect(await rows('pragma cache_size')).to.deep.equal([{ cache_size: -64000 }])
      // As SQLite on a file in WAL mode (the differential oracle is in memory, where it differs).
      expect(await rows('pragma mmap_size')).to.deep.equal([{ mmap_size: 0 }])
      expect(await rows('pragma mmap_size = 268435456')).to.deep.equal([{ mmap_size: 268435456 }])
      expect(await rows('pragma mmap_size')).to.deep.equal([{ mmap_size: 268435456 }])
      expect(await rows('pragma mmap_size = 4000000000')).to.deep.equal([{ mmap_size: 2147418112 }])
      expect(await rows('pragma mmap_size = -5')).to.deep.equal([{ mmap_size: 0 }])
      expect(await rows('pragma wal_autocheckpoint = 250')).to.deep.equal([{ wal_autocheckpoint: 250 }])
      expect(await rows('pragma locking_mode = exclusive')).to.deep.equal([{ locking_mode: 'exclusive' }])
      expect(await rows('pragma locking_mode = normal')).to.deep.equal([{ locking_mode: 'normal' }])
      await rows('pragma temp_store = memory')
      // A new connection starts from the defaults again: nothing is kept in the file.
      await db.destroy()
      db = t.open()
      expect(await rows('pragma cache_size')).to.deep.equal([{ cache_size: -2000 }])
      expect(await rows('pragma mmap_size')).to.deep.equal([{ mmap_size: 0 }])
      expect(await rows('pragma wal_autocheckpoint')).to.deep.equal([{ wal_autocheckpoint: 1000 }])
      expect(await rows('pragma temp_store')).to.deep.equal([{ temp_store: 0 }])
    })

    it('threads and the heap limits as stock SQLite answers them; database_list; query_only refuses writes', async () => {
      const db = t.open()
      const rows = async (text: string) => (await sql.raw(text).execute(db)).rows
      expect(await rows('pragma threads')).to.deep.equal([{ threads: 0 }])
      // Cut to SQLITE_MAX_WORKER_THREADS (8) of stock builds.
      expect(await rows('pragma threads = 20')).to.deep.equal([{ threads: 8 }])
      expect(await rows('pragma threads = -1')).to.deep.equal([{ threads: 8 }])
      expect(await rows('pragma soft_heap_limit = 1000000')).to.deep.equal([{ soft_heap_limit: 1000000 }])
      // A hard limit only ever lowers, and caps the soft one.
      expect(await rows('pragma hard_heap_limit = 500000')).to.deep.equal([{ hard_heap_limit: 500000 }])
      expect(await rows('pragma hard_heap_limit = 900000')).to.deep.equal([{ hard_heap_limit: 500000 }])
      expect(await rows('pragma soft_heap_limit')).to.deep.equal([{ soft_heap_limit: 500000 }])
      expect(await rows('pragma soft_heap_limit = 0')).to.deep.equal([{ soft_heap_limit: 500000 }])
      expect(await rows('pragma database_list')).to.deep.equal([{ seq: 0, name: 'main', file: t.path() }])
      await sql`create temp table scratch (a)`.execute(db)
      expect(await rows('pragma database_list')).to.deep.equal([
        { seq: 0, name: 'main', file: t.path() },
        { seq: 1, name: 'temp', file: '' },
      ])
      await sql`create table t (a integer primary key, b)`.execute(db)
      await rows('pragma query_only = on')
      const refused = await db
        .insertInto('t')
        .values({ b: 1 })
        .execute()
        .then(
          () => undefined,
          (e: { code?: string; message: string }) => [e.code, e.message],
        )
      expect(refused).to.deep.equal(['BTREE_SQL_READONLY', 'attempt to write a readonly database'])
      // Reads, streams and transactions still run.
      expect(await db.selectFrom('t').selectAll().execute()).to.deep.equal([])
      for await (const row of db.selectFrom('t').selectAll().stream()) expect(row).to.equal(undefined)
      await db.transaction().execute(async (trx) => {
        expect(await trx.selectFrom('t').selectAll().execute()).to.deep.equal([])
      })
      const vacuum = await sql`vacuum`.execute(db).then(
        () => undefined,
        (e: { code?: string }) => e.code,
      )
      expect(vacuum).to.equal('BTREE_SQL_READONLY')
      await rows('pragma query_only = off')
      await db.insertInto('t').values({ b: 1 }).execute()
      expect(await db.selectFrom('t').select('b').execute()).to.deep.equal([{ b: 1 }])
      // A flag whose `on` would change what statements do is refused; `off` is what it is.
      const on = await sql`pragma ignore_check_constraints = on`.execute(db).then(
        () => undefined,
        (e: { code?: string }) => e.code,
      )
      expect(on).to.equal('BTREE_SQL_UNSUPPORTED')
    })

    it("page_size, page_count and freelist_count are the engine's, as of the last checkpoint", async () => {
      const db = t.open({ pageSize: 8192 })
      const rows = async (text: string) => (await sql.raw(text).execute(db)).rows
      expect(await rows('pragma page_size')).to.deep.equal([{ page_size: 8192 }])
      expect(await rows('pragma page_size = 4096')).to.deep.equal([])
      expect(await rows('pragma page_size')).to.deep.equal([{ page_size: 8192 }])
      const engine = engineOf(db)
      const before = (await rows('pragma page_count'))[0] as { page_count: number }
      expect(before.page_count).to.equal(engine.info().highWater)
      await db.schema
        .createTable('t')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('s', 'text')
        .execute()
      await db.schema.createTable('u').addColumn('s', 'text').execute()
      for (const table of ['t', 'u'] as const)
        await db
          .insertInto(table)
          .values(Array.from({ length: 2000 }, (_, i) => ({ s: `row ${i} `.repeat(20) })))
          .execute()
      // Pages are written at the checkpoint: until then page_count is the file's as it was.
      expect(await rows('pragma page_count')).to.deep.equal([before])
      await rows('pragma wal_checkpoint')
      const grown = (await rows('pragma page_count'))[0] as { page_count: number }
      expect(grown.page_count)
        .to.equal(engine.info().highWater)
        .and.be.greaterThan(before.page_count + 50)
      await db.schema.dropTable('u').execute()
      for (let i = 0; i < 4; i++) {
        await db
          .deleteFrom('t')
          .where('id', '<=', (i + 1) * 400)
          .execute()
        await rows('pragma wal_checkpoint')
      }
      const free = (await rows('pragma freelist_count'))[0] as { freelist_count: number }
      expect(free.freelist_count).to.equal(engine.stats().freePages).and.be.greaterThan(0)
      expect(await rows('pragma freelist_count = 3')).to.deep.equal([free])
    })

    it('wal_checkpoint empties the journal; -1s without one; refused inside the transaction, waits outside it', async () => {
      const db = t.open()
      const rows = async (text: string, on: AnyDB = db) => (await sql.raw(text).execute(on)).rows
      await db.schema
        .createTable('t')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .execute()
      await db.insertInto('t').values({ id: 1 }).execute()
      const engine = engineOf(db)
      expect(engine.info().journal!.records).to.be.greaterThan(0)
      expect(await rows('pragma wal_checkpoint(truncate)')).to.deep.equal([{ busy: 0, log: 0, checkpointed: 0 }])
      expect(engine.info().journal).to.include({ records: 0, bytes: 0 })
      expect(engine.info().checkpointTxid).to.equal(engine.info().txid)

      let release!: () => void
      const held = new Promise<void>((resolve) => (release = resolve))
      let checkpointed = false
      let outside: Promise<unknown> | undefined
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('t').values({ id: 2 }).execute()
        const inside = await sql`pragma wal_checkpoint`.execute(trx).then(
          () => undefined,
          (err: { code?: string; message?: string }) => err,
        )
        expect(inside).to.include({ code: 'BTREE_SQL_TRANSACTION', message: 'database table is locked' })
        // Another handle's checkpoint waits for the transaction, then writes its commit too.
        outside = rows('pragma wal_checkpoint').then((r) => {
          checkpointed = true
          return r
        })
        setTimeout(release, 20)
        await held
        expect(checkpointed).to.equal(false)
      })
      expect(await outside).to.deep.equal([{ busy: 0, log: 0, checkpointed: 0 }])
      expect(engine.info().journal!.records).to.equal(0)

      const pages = t.open({ journal: false }, 'pages.db')
      await pages.schema.createTable('t').addColumn('id', 'integer').execute()
      expect(await rows('pragma wal_checkpoint', pages)).to.deep.equal([{ busy: 0, log: -1, checkpointed: -1 }])
    })

    it('integrity_check is ok on a sound file and names the page a corrupt one fails on', async () => {
      let db = t.open()
      const rows = async (text: string) => (await sql.raw(text).execute(db)).rows
      await db.schema
        .createTable('t')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('s', 'text')
        .execute()
      await db
        .insertInto('t')
        .values(Array.from({ length: 3000 }, (_, i) => ({ s: `row ${i} `.repeat(20) })))
        .execute()
      expect(await rows('pragma integrity_check')).to.deep.equal([{ integrity_check: 'ok' }])
      expect(await rows('pragma quick_check')).to.deep.equal([{ quick_check: 'ok' }])
      await rows('pragma wal_checkpoint')
      const { highWater, pageSize } = engineOf(db).info()
      expect(highWater).to.be.greaterThan(100)
      await db.destroy()
      // A byte in the middle of a leaf of t's, which the engine's page checksum covers.
      const page = Math.floor(highWater / 2)
      const fd = fs.openSync(t.path(), 'r+')
      const byte = Buffer.alloc(1)
      fs.readSync(fd, byte, 0, 1, page * pageSize + pageSize / 2)
      byte[0] = byte[0]! ^ 0xff
      fs.writeSync(fd, byte, 0, 1, page * pageSize + pageSize / 2)
      fs.closeSync(fd)
      db = t.open()
      const found = (await rows('pragma integrity_check')) as { integrity_check: string }[]
      expect(found.length).to.be.greaterThan(0)
      expect(found.map((r) => r.integrity_check)).to.not.include('ok')
      expect(found[0]!.integrity_check).to.match(new RegExp(`^page ${page}: `))
      expect(await rows('pragma quick_check')).to.deep.equal(found.map((r) => ({ quick_check: r.integrity_check })))
      expect(await rows('pragma integrity_check(1)')).to.deep.equal(found.slice(0, 1))
      // The file is corrupt: close it without the harness's check.
      await db.destroy()
    })

    it('integrity_check, not quick_check, reports an index with entries missing', async () => {
      let db = t.open()
      const rows = async (text: string) => (await sql.raw(text).execute(db)).rows
      await db.schema
        .createTable('t')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('b', 'integer')
        .execute()
      await db.schema.createTable('other').addColumn('a', 'integer').execute()
      await db.schema.createIndex('t_b').on('t').column('b').execute()
      await db
        .insertInto('t')
        .values(Array.from({ length: 20 }, (_, i) => ({ b: i % 7 })))
        .execute()
      await db.destroy()
      // The engine's file stays sound: only the dialect's index loses an entry its table's row has.
      const engine = await open(t.path())
      await engine.update((tx) => {
        const index = tx.buckets().find((b) => b.startsWith('__kysely_btree_x'))!
        const bucket = tx.bucket(index)!
        const [first] = bucket.entries({ limit: 1 })
        bucket.delete(first![0])
      })
      expect(engine.check().ok).to.equal(true)
      await engine.close()
      db = t.open()
      expect(await rows('pragma integrity_check')).to.deep.equal([
        { integrity_check: 'wrong # of entries in index t_b' },
      ])
      expect(await rows('pragma integrity_check(t)')).to.deep.equal([
        { integrity_check: 'wrong # of entries in index t_b' },
      ])
      expect(await rows('pragma integrity_check(other)')).to.deep.equal([{ integrity_check: 'ok' }])
      expect(await rows('pragma quick_check')).to.deep.equal([{ quick_check: 'ok' }])
    })

    it('integrity_check says ok and adds a warning row for a commit open skipped (a torn journal tail)', async () => {
      const db = t.open()
      await db.schema
        .createTable('t')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .execute()
      await db.insertInto('t').values({ id: 1 }).execute()
      await db.insertInto('t').values({ id: 2 }).execute()
      // The files as a crash would leave them, the last commit's record damaged on its way to disk.
      const { journal } = engineOf(db).info()
      fs.copyFileSync(t.path(), t.path('copy.db'))
      const image = fs.readFileSync(journal!.path)
      image[journal!.bytes - 4] = image[journal!.bytes - 4]! ^ 0xff
      fs.writeFileSync(`${t.path('copy.db')}-journal`, image)
      const copy = t.open({}, 'copy.db')
      const rows = (await sql`pragma integrity_check`.execute(copy)).rows as { integrity_check: string }[]
      expect(rows[0]).to.deep.equal({ integrity_check: 'ok' })
      expect(rows.slice(1).map((r) => r.integrity_check))
        .to.have.length(1)
        .and.satisfy((m: string[]) => m[0]!.startsWith('warning: journal: record at byte '))
      expect(await copy.selectFrom('t').select('id').execute()).to.deep.equal([{ id: 1 }])
    })
  })
}
