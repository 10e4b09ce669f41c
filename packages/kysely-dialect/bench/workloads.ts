import { sql, type Kysely } from 'kysely'
import { categoryCount, categoryLabel, row, type BenchDB } from './schema.js'

export type WorkloadName =
  | 'insert'
  | 'insert-batch'
  | 'point-select'
  | 'index-lookup'
  | 'range-scan'
  | 'join'
  | 'join-equated'
  | 'update'
  | 'group-by'
  | 'delete'
  | 'update-durable'
  | 'upsert'
  | 'fk-insert'
  | 'fk-cascade'
  | 'trigger-insert'
  | 'expression-lookup'
  | 'partial-lookup'

export interface WorkloadContext {
  readonly n: number
  /** Seeded ids in [1, n], the same sequence on every side. */
  readonly ids: readonly number[]
  /** 1..n in a seeded order: each delete hits a row that is still there. */
  readonly permutation: readonly number[]
  /** Rows per category, to check every index lookup's answer. */
  readonly perCategory: readonly number[]
  /** Stop a time-bounded workload after this many milliseconds (checked between operations). */
  readonly budgetMs: number
  /**
   * Called by a time-bounded workload once its untimed warm-up is done: the measurement starts
   * there (run.ts:measure). Without it the warm-up's time counted and its operations did not.
   */
  startTiming(): void
}

export interface Workload {
  readonly name: WorkloadName
  readonly label: string
  /** Runs the workload on a database holding rows 0..n-1 (except `insert`, which fills it) and returns the operations done. */
  run(db: Kysely<BenchDB>, ctx: WorkloadContext): Promise<number>
}

/** A wrong answer makes a figure worthless: every operation checks what it got. */
function expectCount(what: string, got: number, want: number): void {
  if (got !== want) throw new Error(`benchmark check failed: ${what} gave ${got} rows, expected ${want}`)
}

/** Untimed operations before a time-bounded workload: up to this many, for at most WARMUP_MS. */
const WARMUP_OPS = 1000
const WARMUP_MS = 300

/**
 * Runs `op(i)` for i = 0, 1, ... up to `max` operations or until the budget is spent, whichever
 * comes first; untimed operations first let the JIT settle (up to 1,000 of them or 300 ms, and a
 * tenth of `max` at most: with the 20 this used to run, a side's first round measured mostly
 * unoptimized JavaScript, which costs the pure-JavaScript sides far more than the native one).
 * Returns the operations timed.
 */
async function bounded(ctx: WorkloadContext, max: number, op: (i: number) => Promise<void>): Promise<number> {
  // The warm-up takes the last indices so that the timed ones never repeat them (a delete must find its row).
  const warmup = Math.min(WARMUP_OPS, Math.ceil(max / 10))
  const warmUntil = performance.now() + WARMUP_MS
  let warmed = 0
  while (warmed < warmup && performance.now() < warmUntil) await op(max - 1 - warmed++)
  ctx.startTiming()
  const deadline = performance.now() + ctx.budgetMs
  let done = 0
  while (done < max - warmed) {
    await op(done)
    done++
    if (performance.now() > deadline) break
  }
  return done
}

export const insert: Workload = {
  name: 'insert',
  label: 'insert, one row a query, one transaction',
  async run(db, ctx) {
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < ctx.n; i++) await trx.insertInto('item').values(row(i, ctx.n)).execute()
    })
    return ctx.n
  },
}

const BATCH = 100

/**
 * Rows 0..n-1 (`rowOf(i, k)`, k its place in its query) handed to `insert` BATCH at a time, each
 * query awaited before the next (autocommit).
 */
async function inBatches<R>(
  n: number,
  rowOf: (i: number, k: number) => R,
  insert: (rows: R[]) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < n; i += BATCH)
    await insert(Array.from({ length: Math.min(BATCH, n - i) }, (_, k) => rowOf(i + k, k)))
}

/** Rows into batch_item, 100 a query, each query its own commit; an operation is one row. */
export const insertBatch: Workload = {
  name: 'insert-batch',
  label: 'multi-row insert, 100 rows a query, autocommit (rows/s)',
  async run(db, ctx) {
    await inBatches(
      ctx.n,
      (i) => row(i, ctx.n),
      (rows) => db.insertInto('batch_item').values(rows).execute(),
    )
    return ctx.n
  },
}

export const pointSelect: Workload = {
  name: 'point-select',
  label: 'point select by primary key',
  run: (db, ctx) =>
    bounded(ctx, ctx.n, async (i) => {
      const rows = await db
        .selectFrom('item')
        .selectAll()
        .where('id', '=', ctx.ids[i % ctx.ids.length]!)
        .execute()
      expectCount('point select', rows.length, 1)
    }),
}

export const indexLookup: Workload = {
  name: 'index-lookup',
  label: 'index lookup (~100 rows)',
  run: (db, ctx) =>
    bounded(ctx, ctx.n, async (i) => {
      const category = ctx.ids[i % ctx.ids.length]! % ctx.perCategory.length
      const rows = await db.selectFrom('item').selectAll().where('category', '=', category).execute()
      expectCount('index lookup', rows.length, ctx.perCategory[category]!)
    }),
}

export const rangeScan: Workload = {
  name: 'range-scan',
  label: 'range scan of 100 by primary key',
  run: (db, ctx) =>
    bounded(ctx, ctx.n, async (i) => {
      const from = 1 + (ctx.ids[i % ctx.ids.length]! % Math.max(1, ctx.n - 99))
      const rows = await db.selectFrom('item').selectAll().where('id', '>=', from).orderBy('id').limit(100).execute()
      expectCount('range scan', rows.length, Math.min(100, ctx.n - from + 1))
    }),
}

/** A join workload: `query(category)` lists the rows of one category, each operation checks their count. */
function categoryJoin(
  name: WorkloadName,
  label: string,
  query: (db: Kysely<BenchDB>, category: number) => { execute(): Promise<unknown[]> },
): Workload {
  return {
    name,
    label,
    run: (db, ctx) =>
      bounded(ctx, ctx.n, async (i) => {
        const category = ctx.ids[i % ctx.ids.length]! % ctx.perCategory.length
        const rows = await query(db, category).execute()
        expectCount(name, rows.length, ctx.perCategory[category]!)
      }),
  }
}

export const join = categoryJoin('join', 'two-table join with a filter (~100 rows)', (db, category) =>
  db
    .selectFrom('item')
    .innerJoin('category', 'category.id', 'item.category')
    .select(['item.id', 'item.name', 'item.price', 'category.label'])
    .where('category.label', '=', categoryLabel(category)),
)

/**
 * The join filtered on its joined column: `item.category = ?` also bounds category's read (its
 * equality with category.id), as SQLite reads it: category by its key, item through its index.
 */
export const joinEquated = categoryJoin(
  'join-equated',
  'two-table join filtered on the joined column (~100 rows)',
  (db, category) =>
    db
      .selectFrom('category')
      .innerJoin('item', 'item.category', 'category.id')
      .select(['item.id', 'item.name', 'item.price', 'category.label'])
      .where('item.category', '=', category),
)

/** Deletes from batch_item by primary key, each its own commit. */
export const remove: Workload = {
  name: 'delete',
  label: 'single-row delete by primary key, autocommit',
  run: (db, ctx) =>
    bounded(ctx, ctx.n, async (i) => {
      const result = await db.deleteFrom('batch_item').where('id', '=', ctx.permutation[i]!).executeTakeFirstOrThrow()
      expectCount('delete', Number(result.numDeletedRows), 1)
    }),
}

function updateWorkload(name: 'update' | 'update-durable', label: string): Workload {
  return {
    name,
    label,
    run: (db, ctx) =>
      bounded(ctx, ctx.n, async (i) => {
        const result = await db
          .updateTable('item')
          .set((eb) => ({ qty: eb('qty', '+', 1) }))
          .where('id', '=', ctx.ids[i % ctx.ids.length]!)
          .executeTakeFirstOrThrow()
        expectCount('update', Number(result.numUpdatedRows), 1)
      }),
  }
}

export const update = updateWorkload('update', 'single-row update, autocommit')
export const updateDurable = updateWorkload('update-durable', 'single-row update, autocommit, durable')

export const groupBy: Workload = {
  name: 'group-by',
  label: 'group-by (count, sum per category)',
  run: (db, ctx) =>
    bounded(ctx, ctx.n, async () => {
      const rows = await db
        .selectFrom('item')
        .select((eb) => ['category', eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('price').as('total')])
        .groupBy('category')
        .execute()
      expectCount('group-by', rows.length, ctx.perCategory.length)
    }),
}

/**
 * `insert ... on conflict (id) do update`, autocommit, on ids that exist: each is the update of a
 * conflict (SQLite's UPSERT), its new qty read from the stored row.
 */
export const upsert: Workload = {
  name: 'upsert',
  label: 'upsert on the primary key (conflicting), autocommit',
  run: (db, ctx) =>
    bounded(ctx, ctx.n, async (i) => {
      const id = ctx.ids[i % ctx.ids.length]!
      const result = await db
        .insertInto('item')
        .values(row(id - 1, ctx.n))
        .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ qty: eb('item.qty', '+', 1) })))
        .executeTakeFirstOrThrow()
      expectCount('upsert', Number(result.numInsertedOrUpdatedRows), 1)
    }),
}

/**
 * Rows into `line`, whose `item_id` references item's key (checked on every row: SQLite, as
 * better-sqlite3 opens it, and the dialect enforce foreign keys, PostgreSQL always), 100 a query,
 * autocommit; an operation is one row. The table and its index on the key are made untimed.
 */
export const fkInsert: Workload = {
  name: 'fk-insert',
  label: 'multi-row insert, a foreign key checked per row, 100 rows a query (rows/s)',
  async run(db, ctx) {
    await db.schema
      .createTable('line')
      .ifNotExists()
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('item_id', 'integer', (c) => c.notNull().references('item.id'))
      .addColumn('qty', 'integer', (c) => c.notNull())
      .execute()
    await db.schema.createIndex('line_item').ifNotExists().on('line').column('item_id').execute()
    ctx.startTiming()
    await inBatches(
      ctx.n,
      (i, k) => ({ id: i + 1, item_id: ctx.ids[i % ctx.ids.length]!, qty: k }),
      (rows) => db.insertInto('line').values(rows).execute(),
    )
    return ctx.n
  },
}

/** Owners and their pets, 10 each, for fk-cascade (made untimed). */
async function owners(db: Kysely<BenchDB>, count: number): Promise<void> {
  await db.schema.dropTable('pet').ifExists().execute()
  await db.schema.dropTable('owner').ifExists().execute()
  await db.schema
    .createTable('owner')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('pet')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('owner.id').onDelete('cascade'))
    .execute()
  await db.schema.createIndex('pet_owner').on('pet').column('owner_id').execute()
  for (let i = 0; i < count; i += BATCH) {
    const n = Math.min(BATCH, count - i)
    await db
      .insertInto('owner')
      .values(Array.from({ length: n }, (_, k) => ({ id: i + k + 1, name: `owner-${i + k}` })))
      .execute()
    for (let j = 0; j < 10; j++)
      await db
        .insertInto('pet')
        .values(Array.from({ length: n }, (_, k) => ({ id: (i + k) * 10 + j + 1, owner_id: i + k + 1 })))
        .execute()
  }
}

/** Deletes an owner by key, autocommit: its 10 pets go with it (`on delete cascade`, through their index). */
export const fkCascade: Workload = {
  name: 'fk-cascade',
  label: 'delete a parent row, its 10 child rows cascading, autocommit',
  async run(db, ctx) {
    const count = Math.max(1, Math.floor(ctx.n / 10))
    await owners(db, count)
    return bounded(ctx, count, async (i) => {
      const result = await db
        .deleteFrom('owner')
        .where('id', '=', i + 1)
        .executeTakeFirstOrThrow()
      expectCount('cascading delete', Number(result.numDeletedRows), 1)
    })
  },
}

/**
 * Rows into `audited`, whose AFTER INSERT trigger writes one `audit` row per row (an audit log),
 * 100 rows a query, autocommit; an operation is one row. The tables and the trigger are made
 * untimed: SQLite's `create trigger` on the SQLite sides, a PL/pgSQL function and `for each row`
 * trigger on PGlite (which refuses the former).
 */
export const triggerInsert: Workload = {
  name: 'trigger-insert',
  label: 'multi-row insert, an AFTER INSERT trigger writing an audit row per row, 100 rows a query (rows/s)',
  async run(db, ctx) {
    await db.schema
      .createTable('audited')
      .ifNotExists()
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('qty', 'integer', (c) => c.notNull())
      .execute()
    await db.schema
      .createTable('audit')
      .ifNotExists()
      .addColumn('n', 'integer', (c) => c.primaryKey())
      .addColumn('row_id', 'integer')
      .addColumn('what', 'text')
      .execute()
    try {
      await sql`create trigger if not exists audited_log after insert on audited begin
        insert into audit (row_id, what) values (new.id, 'added ' || new.name); end`.execute(db)
    } catch {
      await sql`create or replace function audited_log() returns trigger as $$ begin
        insert into audit (n, row_id, what) values (new.id, new.id, 'added ' || new.name); return new; end $$ language plpgsql`.execute(
        db,
      )
      await sql`create trigger audited_log after insert on audited for each row execute function audited_log()`.execute(
        db,
      )
    }
    ctx.startTiming()
    await inBatches(
      ctx.n,
      (i, k) => ({ id: i + 1, name: `row-${i}`, qty: k }),
      (rows) => db.insertInto('audited').values(rows).execute(),
    )
    const logged = await db
      .selectFrom('audit')
      .select((eb) => eb.fn.countAll<number>().as('c'))
      .executeTakeFirstOrThrow()
    expectCount('audit rows', Number(logged.c), ctx.n)
    return ctx.n
  },
}

/**
 * A row by `lower(name)` through an expression index on it (SQLite's planner reads it for such a
 * query, and so does this dialect's). The index is made before the timing starts, and after every
 * other workload (it would slow their writes).
 */
export const expressionLookup: Workload = {
  name: 'expression-lookup',
  label: 'lookup by lower(name), expression index (1 row)',
  async run(db, ctx) {
    await db.schema
      .createIndex('item_lower_name')
      .ifNotExists()
      .on('item')
      .expression(sql`lower(name)`)
      .execute()
    return bounded(ctx, ctx.n, async (i) => {
      const id = ctx.ids[i % ctx.ids.length]!
      const name = row(id - 1, ctx.n).name.toUpperCase()
      const rows = await db
        .selectFrom('item')
        .select(['id', 'name'])
        .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
        .execute()
      expectCount('expression lookup', rows.length, 1)
    })
  },
}

/**
 * Rows of one category with qty 0 through a partial index on category `where qty = 0` (a fiftieth of
 * the rows): read when the query repeats the condition, in SQLite and here. Made before the timing.
 */
export const partialLookup: Workload = {
  name: 'partial-lookup',
  label: 'lookup by category and qty = 0, partial index (~2 rows)',
  async run(db, ctx) {
    await db.schema
      .createIndex('item_category_empty')
      .ifNotExists()
      .on('item')
      .column('category')
      .where(sql.ref('qty'), '=', 0)
      .execute()
    // The updates before changed qty: the answers are counted from a whole read of the table.
    const categories = ctx.perCategory.length
    const want = new Array<number>(categories).fill(0)
    for (const r of await db.selectFrom('item').select(['category', 'qty']).execute())
      if (r.qty === 0) want[r.category]!++
    return bounded(ctx, ctx.n, async (i) => {
      const category = ctx.ids[i % ctx.ids.length]! % categories
      const rows = await db
        .selectFrom('item')
        .select(['id', 'price'])
        .where('category', '=', category)
        .where('qty', '=', 0)
        .execute()
      expectCount('partial lookup', rows.length, want[category]!)
    })
  },
}

/** The order a round runs them in: `insert` fills the table the others read; the durable row comes last. */
export const WORKLOADS: readonly Workload[] = [
  insert,
  insertBatch,
  pointSelect,
  indexLookup,
  rangeScan,
  join,
  joinEquated,
  update,
  groupBy,
  remove,
  upsert,
  fkInsert,
  fkCascade,
  triggerInsert,
  // The durable row reopens each side durably: every write after it would be durable too.
  updateDurable,
  // After every write: the indexes they make would slow the writes before them.
  expressionLookup,
  partialLookup,
]

/** Seeded ids and the per-category row counts for n rows. */
export function makeContext(n: number, seed: number, budgetMs: number): WorkloadContext {
  let state = seed >>> 0
  const next = (): number => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const ids = Array.from({ length: Math.min(n, 65_536) }, () => 1 + Math.floor(next() * n))
  const permutation = Array.from({ length: n }, (_, i) => i + 1)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    ;[permutation[i], permutation[j]] = [permutation[j]!, permutation[i]!]
  }
  const perCategory = new Array<number>(categoryCount(n)).fill(0)
  for (let i = 0; i < n; i++) perCategory[row(i, n).category]!++
  // run.ts:measure gives each run a context whose startTiming restarts its clock.
  return { n, ids, permutation, perCategory, budgetMs, startTiming: () => {} }
}
