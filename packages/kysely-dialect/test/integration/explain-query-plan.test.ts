import { expect } from 'chai'
import { useTempDir, VERSIONS } from './support.js'

for (const version of VERSIONS) {
  const { sql } = version

  describe(`integration (${version.name}): explain query plan`, () => {
    const t = useTempDir(version)

    it("words the plan the dialect runs a statement with as SQLite's EXPLAIN QUERY PLAN does", async () => {
      const db = t.open()
      const details = async (text: string) =>
        ((await sql.raw(`explain query plan ${text}`).execute(db)).rows as { detail: string }[]).map((r) => r.detail)
      await sql`create table t (id integer primary key, a int, b text)`.execute(db)
      await sql`create index ta on t (a)`.execute(db)
      await sql`create table k (x text primary key, y int)`.execute(db)
      await sql`create table w (x text primary key, y int) without rowid`.execute(db)
      for (const table of ['t', 'k', 'w']) {
        const rows = Array.from({ length: 2000 }, (_, i) =>
          table === 't' ? `(${i + 1}, ${i % 100}, 'b${i}')` : `('x${i}', ${i})`,
        )
        await sql.raw(`insert into ${table} values ${rows.join(', ')}`).execute(db)
      }
      expect(await details('select * from t where id = 5')).to.deep.equal([
        'SEARCH t USING INTEGER PRIMARY KEY (rowid=?)',
      ])
      expect(await details('select * from t where id > 5 and id < 9')).to.deep.equal([
        'SEARCH t USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)',
      ])
      expect(await details('select * from t where a = 7')).to.deep.equal(['SEARCH t USING INDEX ta (a=?)'])
      expect(await details('select a from t where a = 7')).to.deep.equal(['SEARCH t USING COVERING INDEX ta (a=?)'])
      expect(await details('select * from t order by b')).to.deep.equal(['SCAN t', 'USE TEMP B-TREE FOR ORDER BY'])
      expect(await details("select * from k where x = 'x1'")).to.deep.equal([
        'SEARCH k USING INDEX sqlite_autoindex_k_1 (x=?)',
      ])
      expect(await details("select * from w where x = 'x1'")).to.deep.equal(['SEARCH w USING PRIMARY KEY (x=?)'])
      expect(await details('select b, count(*) from t group by b')).to.deep.equal([
        'SCAN t',
        'USE TEMP B-TREE FOR GROUP BY',
      ])
      // Aggregates over every row read are no GROUP BY: no temporary b-tree.
      expect(await details('select count(*), max(b) from t where a = 7')).to.deep.equal([
        'SEARCH t USING INDEX ta (a=?)',
      ])
      expect(await details('select * from t p join t q on q.id = p.a where p.id = 3')).to.deep.equal([
        'SEARCH p USING INTEGER PRIMARY KEY (rowid=?)',
        'SEARCH q USING INTEGER PRIMARY KEY (rowid=?)',
      ])
      expect(await details('update t set b = 1 where id = 3')).to.deep.equal([
        'SEARCH t USING INTEGER PRIMARY KEY (rowid=?)',
      ])
      expect(await details('delete from t where a = 2')).to.deep.equal(['SEARCH t USING INDEX ta (a=?)'])
      expect(await details('insert into t (a) values (1)')).to.deep.equal([])
      // An or whose every disjunct a key or an index bounds: one read each, as SQLite 3.53.2 words it.
      expect(await details('select * from t where a = 7 or id = 3')).to.deep.equal([
        'MULTI-INDEX OR',
        'INDEX 1',
        'SEARCH t USING INDEX ta (a=?)',
        'INDEX 2',
        'SEARCH t USING INTEGER PRIMARY KEY (rowid=?)',
      ])
      const or = (await sql`explain query plan select * from t where a = 7 or id = 3`.execute(db)).rows as {
        id: number
        parent: number
      }[]
      expect(or.map((r) => r.parent)).to.deep.equal([0, or[0]!.id, or[1]!.id, or[0]!.id, or[3]!.id])
      expect(await details('select * from t where a = 7 or b = 3')).to.deep.equal(['SCAN t'])
      const rows = (await sql`explain query plan select * from t where id = 5`.execute(db)).rows
      expect(rows).to.deep.equal([
        { id: 2, parent: 0, notused: 0, detail: 'SEARCH t USING INTEGER PRIMARY KEY (rowid=?)' },
      ])
      // Plain EXPLAIN (SQLite's program listing) is not read.
      const error = await sql`explain select 1`.execute(db).then(
        () => undefined,
        (e: unknown) => (e as { code?: string }).code,
      )
      expect(error).to.equal('BTREE_SQL_UNSUPPORTED')
      // Nothing ran: the update's row is as it was.
      expect((await sql`select b from t where id = 3`.execute(db)).rows).to.deep.equal([{ b: 'b2' }])
    })
  })
}
