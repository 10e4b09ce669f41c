import { expect } from 'chai'
import { sql, type ColumnDataType } from 'kysely'
import { runOn, withBoth, type Executable, type StepOutcome } from '../helpers/differential.js'
import { kysely028Api, kysely029Api, type KyselyApi } from '../helpers/kysely-versions.js'
import { errorKind } from '../helpers/outcome.js'
import { prng } from '../helpers/random-queries.js'
import type { Db, Side } from '../helpers/sides.js'

/**
 * Random schema evolution against SQLite: a table that gains, loses and renames columns, gains and
 * loses indexes (unique ones too, which may fail over duplicates), is renamed, and is written and
 * read between those changes; btree-store's side is also closed and reopened from its file now and
 * then. After every step the whole table (`select *`, so column order counts) and sqlite_master
 * (each object's text as SQLite rewrites it) are compared. A text
 * column added may declare `collate nocase` or `collate rtrim` (its unique index then holds
 * under it: 'x' and 'X' collide).
 * Each step is chosen from the schema as SQLite left it, so a seed replays exactly
 * (KYSELY_DIFF_SEED; KYSELY_DIFF_SCHEMA_STEPS for a longer run).
 */
const seed = Number(process.env['KYSELY_DIFF_SEED'] ?? Math.floor(Math.random() * 2 ** 31))
const stepCount = Number(process.env['KYSELY_DIFF_SCHEMA_STEPS'] ?? 150)

interface ColumnModel {
  name: string
  notNull: boolean
}

interface SchemaModel {
  table: string
  columns: ColumnModel[]
  indexes: { name: string; column: string }[]
  counter: number
}

type Random = () => number

const types: readonly ColumnDataType[] = ['integer', 'text', 'real', 'blob', 'numeric', 'varchar(10)']

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T
}

function randomScalar(random: Random): string | number | null {
  return pick(random, [null, 0, 1, -2, 7, 2.5, 'x', 'X', '12', '', 'abc', '3.0'])
}

function randomCell(random: Random): unknown {
  return random() < 0.1 ? Buffer.from([Math.floor(random() * 4)]) : randomScalar(random)
}

/** A step: a description, and what to run (a builder, or a reopen of btree-store's side). */
interface Step {
  readonly label: string
  readonly build: ((db: Db) => Executable) | 'reopen'
  /** Applied to the model when SQLite ran the step without error. */
  readonly apply?: (model: SchemaModel) => void
}

function userColumns(model: SchemaModel): ColumnModel[] {
  return model.columns.filter((c) => c.name !== 'id')
}

function nextStep(random: Random, model: SchemaModel): Step {
  const r = random()
  const table = model.table
  const others = userColumns(model)
  if (r < 0.12) {
    const name = `c${++model.counter}`
    const type = pick(random, types)
    const withDefault = random() < 0.5
    const value = randomScalar(random) ?? 5
    const notNull = withDefault && random() < 0.3
    const collation =
      (type === 'text' || type === 'varchar(10)') && random() < 0.5 ? pick(random, ['nocase', 'rtrim']) : undefined
    const declared = collation === undefined ? type : sql.raw(`${type} collate ${collation}`)
    return {
      label: `add column ${name} ${type}${collation === undefined ? '' : ` collate ${collation}`}${withDefault ? ` default ${JSON.stringify(value)}` : ''}${notNull ? ' not null' : ''}`,
      build: (db) =>
        db.schema.alterTable(table).addColumn(name, declared, (c) => {
          let column = withDefault ? c.defaultTo(value) : c
          if (notNull) column = column.notNull()
          return column
        }),
      apply: (m) => m.columns.push({ name, notNull }),
    }
  }
  if (r < 0.18 && others.length > 0) {
    const column = pick(random, others).name
    return {
      label: `drop column ${column}`,
      build: (db) => db.schema.alterTable(table).dropColumn(column),
      apply: (m) => {
        m.columns = m.columns.filter((c) => c.name !== column)
      },
    }
  }
  if (r < 0.24 && others.length > 0) {
    const column = pick(random, others).name
    const name = `r${++model.counter}`
    return {
      label: `rename column ${column} to ${name}`,
      build: (db) => db.schema.alterTable(table).renameColumn(column, name),
      apply: (m) => {
        for (const c of m.columns) if (c.name === column) c.name = name
        for (const i of m.indexes) if (i.column === column) i.column = name
      },
    }
  }
  if (r < 0.29 && others.length > 0) {
    const column = pick(random, others).name
    const unique = random() < 0.4
    const name = `i${++model.counter}`
    return {
      label: `create ${unique ? 'unique ' : ''}index ${name} on ${column}`,
      build: (db) => {
        const index = db.schema.createIndex(name).on(table).column(column)
        return unique ? index.unique() : index
      },
      apply: (m) => m.indexes.push({ name, column }),
    }
  }
  if (r < 0.32 && model.indexes.length > 0) {
    const name = pick(random, model.indexes).name
    return {
      label: `drop index ${name}`,
      build: (db) => db.schema.dropIndex(name),
      apply: (m) => {
        m.indexes = m.indexes.filter((i) => i.name !== name)
      },
    }
  }
  if (r < 0.35) {
    const name = table === 't' ? 't2' : 't'
    return {
      label: `rename table to ${name}`,
      build: (db) => db.schema.alterTable(table).renameTo(name),
      apply: (m) => (m.table = name),
    }
  }
  if (r < 0.39) return { label: 'reopen', build: 'reopen' }
  if (r < 0.7) {
    const rows = Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
      const row: Record<string, unknown> = {}
      for (const c of others) if (random() < 0.7) row[c.name] = randomCell(random)
      if (random() < 0.3) row['id'] = Math.floor(random() * 40)
      return row
    })
    // A row naming no column is `default values`, which a multi-row insert cannot say.
    const usable = rows.filter((row) => Object.keys(row).length > 0)
    if (usable.length === 0)
      return { label: 'insert default values', build: (db) => db.insertInto(table).defaultValues() }
    return { label: `insert ${JSON.stringify(usable)}`, build: (db) => db.insertInto(table).values(usable) }
  }
  if (r < 0.9 && others.length > 0) {
    const column = pick(random, others).name
    const value = randomCell(random)
    const bound = Math.floor(random() * 40)
    const expression = random() < 0.5
    return {
      label: `update set ${column} = ${expression ? `${column} || 'z'` : JSON.stringify(value)} where id < ${bound}`,
      build: (db) =>
        db
          .updateTable(table)
          .set((eb) => ({ [column]: expression ? eb(column, '||', 'z') : value }))
          .where('id', '<', bound),
    }
  }
  const bound = Math.floor(random() * 40)
  return { label: `delete where id > ${bound}`, build: (db) => db.deleteFrom(table).where('id', '>', bound) }
}

async function runStep(side: Side, api: KyselyApi, step: Step): Promise<StepOutcome> {
  let outcome: StepOutcome
  if (step.build === 'reopen') {
    try {
      await side.reopen?.()
      outcome = { result: 'ok' }
    } catch (error) {
      outcome = { error: errorKind(error) }
    }
  } else {
    const build = step.build
    const [report] = await runOn(side, api, (db) => build(db))
    outcome = report?.outcome ?? { result: 'none' }
  }
  return outcome
}

async function readTable(side: Side, api: KyselyApi, table: string): Promise<StepOutcome> {
  const [rows] = await runOn(side, api, (db) => db.selectFrom(table).selectAll().orderBy('id'))
  return rows?.outcome ?? { result: 'none' }
}

/**
 * The schema as sqlite_master lists it, its texts with SQLite's backquotes written as double quotes
 * (the harness sends SQLite its identifiers backquoted: sqljs-database.ts).
 */
async function readSchema(side: Side): Promise<unknown> {
  const rows = await side.db.selectFrom('sqlite_master').select(['type', 'name', 'tbl_name', 'sql']).execute()
  return rows.map((r) => ({
    ...r,
    sql:
      typeof r.sql === 'string'
        ? r.sql.replace(/`((?:[^`]|``)*)`/g, (_: string, n: string) => `"${n.replace(/``/g, '`').replace(/"/g, '""')}"`)
        : r.sql,
  }))
}

export async function compareRandomSchema(api: KyselyApi, seed: number, steps: number): Promise<string | undefined> {
  const random = prng(seed)
  const model: SchemaModel = {
    table: 't',
    columns: [
      { name: 'id', notNull: false },
      { name: 'c0', notNull: false },
    ],
    indexes: [],
    counter: 0,
  }
  return withBoth(
    api,
    async (oracle, subject) => {
      for (const side of [oracle, subject]) {
        await side.db.schema
          .createTable('t')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('c0', 'text')
          .execute()
      }
      const history: string[] = []
      for (let i = 0; i < steps; i++) {
        const step = nextStep(random, model)
        history.push(step.label)
        const expectedStep = await runStep(oracle, api, step)
        const actualStep = await runStep(subject, api, step)
        // The model follows SQLite; the table is then read under its current name on both sides.
        if (!('error' in expectedStep)) step.apply?.(model)
        // The schema's texts too, as SQLite rewrites them (sqlite_schema, sql/schema-text.ts).
        const expected = [expectedStep, await readTable(oracle, api, model.table), await readSchema(oracle)]
        const actual = [actualStep, await readTable(subject, api, model.table), await readSchema(subject)]
        if (process.env['KYSELY_DIFF_PRINT'] === '1') console.log(`${i} ${step.label}\n  ${JSON.stringify(expected)}`)
        if (JSON.stringify(expected) !== JSON.stringify(actual)) {
          return (
            `seed ${seed}, step ${i}; the steps up to it:\n    ${history.slice(-8).join('\n    ')}\n` +
            `  sqlite: ${JSON.stringify(expected)}\n  btree:  ${JSON.stringify(actual)}`
          )
        }
      }
      return undefined
    },
    'path',
  )
}

describe('differential: random schema evolution', () => {
  before(() => {
    console.log(`    random schema seed: ${seed} (KYSELY_DIFF_SEED=${seed} to replay)`)
  })

  it(`${stepCount} random alter table, index, write and reopen steps, the table compared after each (${kysely028Api.label})`, async () => {
    const difference = await compareRandomSchema(kysely028Api, seed, stepCount)
    expect(difference, difference).to.equal(undefined)
  })

  it(`${Math.ceil(stepCount / 2)} random schema steps (${kysely029Api.label})`, async () => {
    const difference = await compareRandomSchema(kysely029Api, seed + 1, Math.ceil(stepCount / 2))
    expect(difference, difference).to.equal(undefined)
  })
})
