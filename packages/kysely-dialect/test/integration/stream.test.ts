import { expect } from 'chai'
import { BTreeDialect } from '../../src/index.js'
import { streamCounters } from '../../src/executor/select-stream.js'
import { engineOf, useTempDir, VERSIONS, type AnyDB } from './support.js'

const PAD = 'x'.repeat(200)

/** `t(id integer primary key, grp integer, body text)` with `n` rows of ~200 bytes. */
async function fill(db: AnyDB, n: number): Promise<void> {
  await db.schema
    .createTable('t')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('grp', 'integer')
    .addColumn('body', 'text')
    .execute()
  await db.transaction().execute(async (trx) => {
    for (let start = 0; start < n; start += 500) {
      const rows = []
      for (let id = start; id < Math.min(n, start + 500); id++) rows.push({ id, grp: id % 7, body: `${id}${PAD}` })
      await trx.insertInto('t').values(rows).execute()
    }
  })
}

const gc = (globalThis as { gc?: () => void }).gc

function heapAfterGc(): number {
  gc!()
  gc!()
  return process.memoryUsage().heapUsed
}

for (const version of VERSIONS) {
  describe(`integration (${version.name}): stream()`, () => {
    const t = useTempDir(version)

    it('hands out chunks of chunkSize, the last one shorter', async () => {
      const db = t.open({ durability: 'none' })
      await fill(db, 250)
      const driver = new BTreeDialect({ database: await engineOf(db) }).createDriver()
      await driver.init()
      const connection = await driver.acquireConnection()
      const compiled = db.selectFrom('t').select('id').where('grp', '!=', 3).compile()
      const sizes: number[] = []
      const ids: number[] = []
      for await (const chunk of connection.streamQuery!(compiled, 40)) {
        sizes.push(chunk.rows.length)
        for (const row of chunk.rows as { id: number }[]) ids.push(row.id)
      }
      const expected = await db.selectFrom('t').select('id').where('grp', '!=', 3).execute()
      expect(ids).to.deep.equal(expected.map((r) => r.id))
      expect(sizes.slice(0, -1).every((s) => s === 40)).to.equal(true)
      expect(sizes.at(-1)).to.equal(expected.length % 40 || 40)
      await driver.destroy()
    })

    it('reads lazily from a snapshot, which a break releases; writes meanwhile are not blocked', async () => {
      const db = t.open({ durability: 'none' })
      await fill(db, 5000)
      const engine = await engineOf(db)
      const before = streamCounters.rowsRead
      let seen = 0
      for await (const row of db.selectFrom('t').select(['id', 'body']).where('grp', '=', 0).stream(10)) {
        expect(row.id).to.equal(seen * 7)
        seen++
        if (seen === 1) {
          // The first row came out after one chunk's worth of matching rows was read, not all 5000.
          expect(streamCounters.rowsRead - before).to.be.within(1, 10 * 7)
          expect(engine.info().readers.open).to.equal(1)
          // A write commits while the stream holds its snapshot, and the stream does not see it.
          await db.deleteFrom('t').where('id', '>', 4000).execute()
        }
        if (seen === 700) break
      }
      expect(seen).to.equal(700)
      expect(streamCounters.rowsRead - before).to.be.below(5000)
      expect(engine.info().readers.open).to.equal(0)
      await db.insertInto('t').values({ id: 99999, grp: 0, body: 'after' }).execute()
      expect(
        (
          await db
            .selectFrom('t')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirst()
        )?.n,
      ).to.equal(4002)
    })

    it('streams the same rows execute() returns, lazily or not', async () => {
      const db = t.open({ durability: 'none' })
      await fill(db, 300)
      const queries = [
        db.selectFrom('t').select(['id', 'grp']),
        db.selectFrom('t').select('id').where('id', '>=', 250).orderBy('id', 'desc'),
        db.selectFrom('t').select('id').where('grp', '<', 2).limit(17).offset(5),
        db.selectFrom('t').select(['id', 'body']).orderBy('body').limit(12),
        db.selectFrom('t').select('grp').distinct().orderBy('grp'),
        db
          .selectFrom('t')
          .select(['grp', (eb) => eb.fn.countAll().as('n')])
          .groupBy('grp'),
        db.selectFrom('t').select('id').where('id', 'in', [3, 1, 2]),
        db.selectNoFrom((eb) => eb.val(1).as('one')),
      ]
      const engine = await engineOf(db)
      for (const q of queries) {
        const streamed: unknown[] = []
        for await (const row of q.stream(7)) streamed.push(row)
        expect(streamed, q.compile().sql).to.deep.equal(await q.execute())
        expect(engine.info().readers.open).to.equal(0)
      }
    })

    it('inside a transaction, a stream reads the transaction', async () => {
      const db = t.open({ durability: 'none' })
      await fill(db, 30)
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('t').where('id', '>=', 10).execute()
        const ids: number[] = []
        for await (const row of trx.selectFrom('t').select('id').stream(4)) ids.push(row.id as number)
        expect(ids).to.deep.equal(Array.from({ length: 10 }, (_, i) => i))
      })
    })

    it("'now' is one instant over every chunk of a stream", async () => {
      const db = t.open({ durability: 'none' })
      await fill(db, 50)
      const seen = new Set<string>()
      for await (const row of db
        .selectFrom('t')
        .select(version.sql<string>`strftime('%Y-%m-%d %H:%M:%f', 'now')`.as('now'))
        .stream(5)) {
        seen.add(row.now as string)
        await new Promise((resolve) => setTimeout(resolve, 1))
      }
      expect(seen.size).to.equal(1)
    })

    // Once (on the first Kysely version): filling 200,000 rows takes seconds.
    if (version === VERSIONS[0])
      it('a table far larger than the cache streams in flat memory', async function () {
        this.timeout(120000)
        const n = 200000
        const db = t.open({ durability: 'none', cacheSize: 1 << 20 })
        await fill(db, n)
        const before = streamCounters.rowsRead
        let count = 0
        let last = -1
        let baseline = 0
        let peak = 0
        for await (const row of db.selectFrom('t').select(['id', 'body']).stream(500)) {
          if ((row.id as number) !== last + 1) expect.fail(`row ${String(row.id)} after ${last}`)
          last = row.id as number
          count++
          if (gc !== undefined && count === 1000) baseline = heapAfterGc()
          if (gc !== undefined && count % 50000 === 0) peak = Math.max(peak, heapAfterGc())
        }
        expect(count).to.equal(n)
        expect(streamCounters.rowsRead - before).to.equal(n)
        // 200,000 rows of ~210 bytes are ~40 MB as row objects; a stream holds a chunk at a time.
        if (process.env['KYSELY_STREAM_PRINT'] === '1') console.log({ baseline, peak, growth: peak - baseline })
        if (gc !== undefined) expect(peak - baseline).to.be.below(8 << 20)
      })
  })
}
