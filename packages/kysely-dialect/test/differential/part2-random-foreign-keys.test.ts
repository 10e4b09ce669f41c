import { compareCase } from '../helpers/differential.js'
import { kysely028Api } from '../helpers/kysely-versions.js'
import { prng } from '../helpers/random-queries.js'
import { runScript, script } from '../helpers/random-foreign-keys.js'

/**
 * Seeded random writes to tables joined by foreign keys of every shape (to a rowid, to a unique
 * text column, to the implied primary key of a table referring to itself, two levels deep, one
 * deferred, a composite one to a table keyed by it, a text column to an integer key, one to a WITHOUT
 * ROWID table), each with actions drawn per case, run as raw SQL in and out of transactions, with
 * savepoints, `pragma defer_foreign_keys`, upserts, `insert or replace` and `or ignore` (never with foreign keys off: rows written so would
 * make the counters meet violations no statement counted, where SQLite's fkey.c documents its
 * counting as unreliable; the hand-written cases cover those rows); every
 * statement's outcome (rows or error message) and the tables after are compared with SQLite.
 * The seed is printed; replay with KYSELY_FK_SEED=<seed> (KYSELY_FK_CASES, KYSELY_FK_OPS).
 */
const seed = Number(process.env['KYSELY_FK_SEED'] ?? Math.floor(Math.random() * 2 ** 31))
const cases = Number(process.env['KYSELY_FK_CASES'] ?? 12)
const opsPerCase = Number(process.env['KYSELY_FK_OPS'] ?? 60)

describe(`differential part 2: random writes under foreign keys (kysely 0.28, seed ${seed}, ${cases} cases)`, () => {
  for (let c = 0; c < cases; c++) {
    const caseSeed = (seed + c * 7919) % 2 ** 31
    it(`case ${c} matches SQLite (replay: KYSELY_FK_SEED=${seed}; this case's script from seed ${caseSeed})`, async () => {
      if (c === 0) console.log(`    part2-random-foreign-keys seed ${seed}`)
      const texts = script(prng(caseSeed), opsPerCase)
      await compareCase(kysely028Api, undefined, (db, api) => runScript(db, texts, api.sql))
    })
  }
})
