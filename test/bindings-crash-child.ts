/**
 * The child process of bindings-sigkill.test.ts: `node bindings-crash-child.js level|kysely DIR
 * FIRST` writes through a binding in a loop, from round number FIRST on, and prints `ready` once
 * open, then `ack N` after each durable write of round N resolved, until it is killed. Each round
 * is one atomic write of several entries, so the parent can tell a round kept whole from one kept
 * in part.
 */
import path from 'node:path'
import { sql } from 'kysely'
import { BTreeLevel } from 'btree-level'
import { ROWS_PER_ROUND, levelRound, openDialect, roundRows } from './bindings-crash-data.js'

const [kind, dir, firstArg] = process.argv.slice(2)
const first = Number(firstArg)

function say(line: string): void {
  // A pipe: synchronous on Linux, so an ack printed is an ack the parent will read.
  process.stdout.write(line + '\n')
}

async function level(): Promise<void> {
  const db = new BTreeLevel<string, string>(path.join(dir!, 'level'))
  await db.open()
  say('ready')
  for (let n = first; ; n++) {
    // One batch across the root and a sublevel: one commit, synced before it resolves.
    const ops = levelRound(n).map(([sub, key, value]) =>
      sub === ''
        ? { type: 'put' as const, key, value }
        : { type: 'put' as const, key, value, sublevel: db.sublevel(sub) },
    )
    await db.batch(ops, { sync: true } as object)
    say(`ack ${n}`)
  }
}

async function kysely(): Promise<void> {
  const db = openDialect(path.join(dir!, 'kysely.db'))
  await db.schema
    .createTable('items')
    .ifNotExists()
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('body', 'text')
    .execute()
  await db.schema.createIndex('items_round').ifNotExists().on('items').column('round').execute()
  await db.schema
    .createTable('rounds')
    .ifNotExists()
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('count', 'integer', (c) => c.notNull())
    .execute()
  await db
    .insertInto('rounds')
    .values({ id: 1, count: 0 })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute()
  say('ready')
  for (let n = first; ; n++) {
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('items').values(roundRows(n)).execute()
      // Rows of an earlier round move to this one: an update of indexed values in the same commit.
      await trx
        .updateTable('items')
        .set({ round: n })
        .where('id', '=', (n - 1) * ROWS_PER_ROUND)
        .execute()
      await trx
        .updateTable('rounds')
        .set({ count: sql<number>`count + 1` })
        .where('id', '=', 1)
        .execute()
    })
    say(`ack ${n}`)
  }
}

void (kind === 'level' ? level() : kysely()).catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`)
  process.exit(1)
})
