/**
 * The child of vacuum-rebuild.test.ts's SIGKILL test: inserts into `k` one row a commit, printing
 * each id once its insert resolved (durability 'full': acknowledged), and a plain VACUUM after every
 * few, deleting some rows first so that each rebuild has pages to drop; runs until killed.
 */
import { Kysely, sql } from 'kysely'
import { BTreeDialect } from '../../src/index.js'

interface DB {
  k: { id: number; pad: string }
}

const [path, round] = process.argv.slice(2) as [string, string]
const db = new Kysely<DB>({ dialect: new BTreeDialect({ path }) })
await sql`create table if not exists k (id integer primary key, pad text)`.execute(db)
const base = Number(round) * 1_000_000
for (let i = 1; ; i++) {
  const id = base + i
  await db
    .insertInto('k')
    .values({ id, pad: 'p'.repeat(300) })
    .execute()
  process.stdout.write(`id ${id}\n`)
  if (i % 40 === 0) {
    // Rows of this round only, never acknowledged ones of a round before: deleted and then
    // inserted again under new ids would look lost.
    await sql`insert into k (id, pad) select id + 500000, pad from k where id > ${base} and id <= ${base + 20}`.execute(
      db,
    )
    await sql`delete from k where id > ${base + 500000}`.execute(db)
    process.stdout.write('vacuuming\n')
    await sql`vacuum`.execute(db)
    process.stdout.write('vacuumed\n')
  }
}
