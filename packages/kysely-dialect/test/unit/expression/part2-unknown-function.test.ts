import { expect } from 'chai'
import { Kysely, sql } from 'kysely'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BTreeDialect } from '../../../src/index.js'

describe('part 2: what stays BTREE_SQL_UNSUPPORTED', () => {
  it('an unknown function is BTREE_SQL_UNSUPPORTED naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kysely-p2-'))
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const db = new Kysely<any>({ dialect: new BTreeDialect({ path: join(dir, 'a.db') }) })
    try {
      await db.schema
        .createTable('t')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .execute()
      const error = await db
        .selectFrom('t')
        .select((eb) => eb.fn('soundex', ['id']).as('s'))
        .execute()
        .then(
          () => undefined,
          (e: unknown) => e,
        )
      expect(error).to.have.property('code', 'BTREE_SQL_UNSUPPORTED')
      expect((error as Error).message).to.contain('soundex')
      // A window function outside a select's selections and order by.
      const window = await db
        .updateTable('t')
        .set((eb) => ({ id: eb.fn.count('id').over() }))
        .execute()
        .then(
          () => undefined,
          (e: unknown) => e,
        )
      expect(window).to.have.property('code', 'BTREE_SQL_UNSUPPORTED')
      expect((window as Error).message).to.contain('misuse of window function count()')
      // SQLite makes count(t.id) inside the subquery an aggregate of the outer query: refused, not answered differently.
      await db.schema
        .createTable('u')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .execute()
      const outerOnly = await db
        .selectFrom('t')
        .select((eb) =>
          eb
            .selectFrom('u')
            .select((e) => e.fn.count('t.id').as('n'))
            .as('n'),
        )
        .execute()
        .then(
          () => undefined,
          (e: unknown) => e,
        )
      expect(outerOnly).to.have.property('code', 'BTREE_SQL_UNSUPPORTED')
      // A recursive table read in a subquery of its recursive select: SQLite refuses it too.
      const recursive = await db
        .withRecursive(
          'r(n)',
          (qb) =>
            qb
              .selectNoFrom((eb) => eb.val(1).as('n'))
              .unionAll((qb2) =>
                qb2
                  .selectFrom('t')
                  .select('id as n')
                  .where('id', 'in', sql<number>`(select n from r)`),
              ) as never,
        )
        .selectFrom('r')
        .selectAll()
        .execute()
        .then(
          () => undefined,
          (e: unknown) => e,
        )
      expect(recursive).to.have.property('code', 'BTREE_SQL_UNSUPPORTED')
      expect((recursive as Error).message).to.contain('recursive reference in a subquery: r')
      void sql
    } finally {
      await db.destroy()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
