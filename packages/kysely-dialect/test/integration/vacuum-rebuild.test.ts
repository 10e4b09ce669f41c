import { expect } from 'chai'
import { fork } from 'node:child_process'
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { open } from 'btree-store'
import { BTreeDialect, type BTreeAdapter } from '../../src/index.js'
import { rebuildPath } from '../../src/rebuild-file.js'
import { useTempDir, VERSIONS, type AnyDB } from './support.js'

const code = (p: Promise<unknown>): Promise<string | undefined> =>
  p.then(
    () => undefined,
    (e: unknown) => (e as { code?: string }).code,
  )

const message = (p: Promise<unknown>): Promise<string | undefined> =>
  p.then(
    () => undefined,
    (e: unknown) => (e as Error).message,
  )

function engineOf(db: AnyDB) {
  return (db.getExecutor().adapter as BTreeAdapter).driver.database!
}

for (const version of VERSIONS) {
  const { sql } = version

  describe(`integration (${version.name}): plain vacuum rebuilds the file`, () => {
    const t = useTempDir(version)

    async function filled(db: AnyDB, rows: number): Promise<void> {
      await db.schema
        .createTable('note')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('title', 'text', (c) => c.notNull().unique())
        .addColumn('body', 'text')
        .execute()
      await db.schema.createIndex('note_body').on('note').column('body').execute()
      for (let start = 0; start < rows; start += 500) {
        const n = Math.min(500, rows - start)
        await db
          .insertInto('note')
          .values(
            Array.from({ length: n }, (_, i) => ({ title: `t${start + i}`, body: 'x'.repeat(200) + (start + i) })),
          )
          .execute()
      }
    }

    it('shrinks the file after deletes and keeps every row, index and sequence', async () => {
      const db = t.open()
      await filled(db, 10_000)
      // Written as pages (a checkpoint of the journal after the deletes would write only what is left).
      await sql`pragma wal_checkpoint`.execute(db)
      await db.deleteFrom('note').where('id', '>', 1000).execute()
      await sql`pragma wal_checkpoint`.execute(db)
      const before = fs.statSync(t.path()).size
      const pagesBefore = (await sql<{ page_count: number }>`pragma page_count`.execute(db)).rows[0]!.page_count
      const version = async () =>
        (await sql<{ schema_version: number }>`pragma schema_version`.execute(db)).rows[0]!.schema_version
      const versionBefore = await version()
      await sql`vacuum`.execute(db)
      // SQLite's VACUUM changes the schema cookie.
      expect(await version()).to.equal(versionBefore + 1)
      const after = fs.statSync(t.path()).size
      expect(after).to.be.lessThan(before / 4)
      const pagesAfter = (await sql<{ page_count: number }>`pragma page_count`.execute(db)).rows[0]!.page_count
      expect(pagesAfter).to.be.lessThan(pagesBefore / 4)
      // A page or two (the copy's last commits free what the ones before them wrote), not thousands.
      const free = (await sql<{ freelist_count: number }>`pragma freelist_count`.execute(db)).rows[0]!.freelist_count
      expect(free).to.be.lessThan(4)
      const summary = (await sql`select count(*) as n, min(id) as lo, max(id) as hi from note`.execute(db)).rows
      expect(summary).to.deep.equal([{ n: 1000, lo: 1, hi: 1000 }])
      expect((await sql`select id from note where body = ${'x'.repeat(200) + '500'}`.execute(db)).rows).to.deep.equal([
        { id: 501 },
      ])
      expect(await code(db.insertInto('note').values({ title: 't7' }).execute())).to.equal('BTREE_SQL_UNIQUE_VIOLATION')
      // AUTOINCREMENT goes on from the sequence, not from the rows left.
      const { insertId } = await db.insertInto('note').values({ title: 'after' }).executeTakeFirstOrThrow()
      expect(Number(insertId)).to.equal(10_001)
      expect((await sql`pragma integrity_check`.execute(db)).rows).to.deep.equal([{ integrity_check: 'ok' }])
      await db.destroy()
      const again = t.open()
      expect((await sql`select count(*) as n from note`.execute(again)).rows).to.deep.equal([{ n: 1001 }])
      expect(fs.existsSync(rebuildPath(t.path()))).to.equal(false)
    })

    it("keeps the connection's temporary tables and settings; statements sent meanwhile run after it", async () => {
      const db = t.open()
      await filled(db, 1000)
      await sql`create temp table scratch (a)`.execute(db)
      await sql`insert into scratch values (1), (2)`.execute(db)
      await sql`pragma case_sensitive_like = on`.execute(db)
      const engine = engineOf(db)
      const [, inserted, counted] = await Promise.all([
        sql`vacuum`.execute(db),
        db.insertInto('note').values({ title: 'during' }).execute(),
        sql<{ n: number }>`select count(*) as n from note`.execute(db),
      ])
      expect(inserted).to.have.length(1)
      expect(counted.rows[0]!.n).to.be.oneOf([1000, 1001])
      // A new engine database on the rebuilt file; the one before is closed.
      expect(engine.closed).to.equal(true)
      expect(engineOf(db)).to.not.equal(engine)
      expect((await sql`select count(*) as n from note`.execute(db)).rows).to.deep.equal([{ n: 1001 }])
      expect((await sql`select a from scratch order by a`.execute(db)).rows).to.deep.equal([{ a: 1 }, { a: 2 }])
      expect((await sql`select 'A' like 'a' as m`.execute(db)).rows).to.deep.equal([{ m: 0 }])
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('note').values({ title: 'in a transaction' }).execute()
      })
      expect((await sql`select count(*) as n from note`.execute(db)).rows).to.deep.equal([{ n: 1002 }])
    })

    it('is refused inside a transaction, while a stream reads, on a database handed in and on a read-only one', async () => {
      const db = t.open()
      await filled(db, 600)
      await db.transaction().execute(async (trx) => {
        expect(await message(sql`vacuum`.execute(trx))).to.equal('cannot VACUUM from within a transaction')
      })
      await sql`begin`.execute(db)
      expect(await code(sql`vacuum`.execute(db))).to.equal('BTREE_SQL_TRANSACTION')
      await sql`rollback`.execute(db)
      const stream = db.selectFrom('note').select('id').stream(10)[Symbol.asyncIterator]()
      expect((await stream.next()).done).to.equal(false)
      expect(await message(sql`vacuum`.execute(db))).to.equal('cannot VACUUM - SQL statements in progress')
      await stream.return!()
      await sql`vacuum`.execute(db)
      await db.destroy()

      const engine = await open(t.path())
      const handedIn = new version.Kysely({ dialect: new BTreeDialect({ database: engine }) })
      try {
        expect(await code(sql`vacuum`.execute(handedIn))).to.equal('BTREE_SQL_UNSUPPORTED')
        expect((await sql`select count(*) as n from note`.execute(handedIn)).rows).to.deep.equal([{ n: 600 }])
      } finally {
        await handedIn.destroy()
        await engine.close()
      }
      const readOnly = t.open({ readOnly: true })
      expect(await message(sql`vacuum`.execute(readOnly))).to.match(/read-only/)
      expect((await sql`select count(*) as n from note`.execute(readOnly)).rows).to.deep.equal([{ n: 600 }])
    })

    it('removes the copy a crash left behind, whole or torn, and never opens it', async () => {
      const db = t.open()
      await filled(db, 600)
      await sql.raw(`vacuum into '${rebuildPath(t.path()).replace(/'/g, "''")}'`).execute(db)
      await db.deleteFrom('note').where('id', '>', 100).execute()
      // The copy holds 600 rows: a rebuild that started over it would bring them back.
      fs.writeFileSync(`${rebuildPath(t.path())}-journal`, Buffer.alloc(64, 7))
      await sql`vacuum`.execute(db)
      expect((await sql`select count(*) as n from note`.execute(db)).rows).to.deep.equal([{ n: 100 }])
      expect(fs.existsSync(rebuildPath(t.path()))).to.equal(false)
      expect(fs.existsSync(`${rebuildPath(t.path())}-journal`)).to.equal(false)
    })

    it('a file-system step that fails is BTREE_IO and the database goes on, every row kept', async () => {
      const db = t.open()
      await filled(db, 300)
      // A directory where the copy goes: removing it fails before anything is written.
      fs.mkdirSync(rebuildPath(t.path()))
      fs.writeFileSync(`${rebuildPath(t.path())}/inside`, 'x')
      expect(await code(sql`vacuum`.execute(db))).to.equal('BTREE_IO')
      expect((await sql`select count(*) as n from note`.execute(db)).rows).to.deep.equal([{ n: 300 }])
      await db.insertInto('note').values({ title: 'after', body: 'b' }).execute()
      fs.rmSync(rebuildPath(t.path()), { recursive: true })
      await sql`vacuum`.execute(db)
      expect((await sql`select count(*) as n from note`.execute(db)).rows).to.deep.equal([{ n: 301 }])
    })
  })
}

/**
 * A child process inserts rows one commit at a time (`'full'`), printing each id once its insert
 * resolves, and runs plain VACUUM between them; it is SIGKILLed, over and over on the same file:
 * in most rounds a random few milliseconds into a rebuild (the copy, the close, the rename, the
 * reopen), in the others at a random moment. After each kill the file opens, passes check(), and
 * holds every printed id.
 */
describe('integration: plain vacuum under SIGKILL', function () {
  this.timeout(120_000)
  const t = useTempDir(VERSIONS[0]!)
  const seed = Number(process.env['KYSELY_VACUUM_KILL_SEED'] ?? Math.floor(Math.random() * 2 ** 31))
  let state = seed

  function random(): number {
    // mulberry32
    state = (state + 0x6d2b79f5) | 0
    let x = Math.imul(state ^ (state >>> 15), 1 | state)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }

  /** Runs the child until it is killed; its output. */
  function runChild(child: string, round: number): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const proc = fork(child, [t.path(), String(round)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] })
      let out = ''
      const duringRebuild = random() < 0.75
      // Into the second or a later rebuild (the first may find little to drop).
      const rebuildToKill = 2 + Math.floor(random() * 3)
      const afterMs = random() * 40
      let rebuildsSeen = 0
      const kill = (): void => {
        proc.kill('SIGKILL')
      }
      const timer = setTimeout(kill, duringRebuild ? 20_000 : 150 + random() * 600)
      proc.stdout!.on('data', (chunk: Buffer) => {
        const text = chunk.toString()
        out += text
        if (!duringRebuild) return
        rebuildsSeen += text.split('\n').filter((l) => l === 'vacuuming').length
        if (rebuildsSeen >= rebuildToKill) setTimeout(kill, afterMs)
      })
      proc.on('exit', (exitCode, signal) => {
        clearTimeout(timer)
        if (signal !== 'SIGKILL' && exitCode !== 0) reject(new Error(`child exited ${exitCode}: ${out}`))
        else resolve(out)
      })
    })
  }

  it('every acknowledged insert survives a kill at any step of a rebuild', async () => {
    console.log(`    vacuum kill seed: ${seed} (KYSELY_VACUUM_KILL_SEED=${seed} to replay)`)
    const child = fileURLToPath(new URL('./vacuum-child.js', import.meta.url))
    const acknowledged = new Set<number>()
    let rebuilds = 0
    let killedInRebuild = 0
    for (let round = 0; round < 12; round++) {
      const output = await runChild(child, round)
      const lines = output.split('\n')
      for (const line of lines) {
        if (line.startsWith('id ')) acknowledged.add(Number(line.slice(3)))
        if (line === 'vacuumed') rebuilds++
      }
      if (lines.filter((l) => l === 'vacuuming' || l === 'vacuumed').pop() === 'vacuuming') killedInRebuild++
      const engine = await open(t.path())
      try {
        const result = engine.check()
        expect(
          result.errors.map((e) => e.message),
          `check() after round ${round} (seed ${seed})`,
        ).to.deep.equal([])
      } finally {
        await engine.close()
      }
      const db = new VERSIONS[0]!.Kysely({ dialect: new BTreeDialect({ path: t.path() }) })
      try {
        const sql = VERSIONS[0]!.sql
        const exists = (await sql`select name from sqlite_master where name = 'k'`.execute(db)).rows.length
        const ids =
          exists === 0
            ? new Set<number>()
            : new Set((await sql<{ id: number }>`select id from k`.execute(db)).rows.map((r) => Number(r.id)))
        const lost = [...acknowledged].filter((id) => !ids.has(id))
        expect(lost, `acknowledged ids lost after round ${round} (seed ${seed})`).to.deep.equal([])
      } finally {
        await db.destroy()
      }
    }
    console.log(`    ${rebuilds} rebuilds completed, ${killedInRebuild} of 12 kills during one`)
    expect(acknowledged.size).to.be.greaterThan(0)
    expect(rebuilds, 'rebuilds completed across the rounds').to.be.greaterThan(0)
    expect(killedInRebuild, 'kills during a rebuild').to.be.greaterThan(0)
  })
})
