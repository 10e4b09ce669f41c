import { compareCase } from '../helpers/differential.js'
import { kysely028Api } from '../helpers/kysely-versions.js'
import { prng } from '../helpers/random-queries.js'
import { runScript, script } from '../helpers/random-triggers.js'

/**
 * Seeded random writes to two tables and a view under a random set of triggers (every timing and
 * event, UPDATE OF, WHEN, RAISE(IGNORE / ABORT / FAIL), triggers that write tables with triggers of
 * their own, INSTEAD OF triggers on the view, upserts, OR IGNORE and OR REPLACE, transactions,
 * triggers dropped and made again), every
 * statement's outcome (rows or error message) and the tables after compared with SQLite. The seed
 * is printed; replay with KYSELY_TRIGGER_SEED=<seed> (KYSELY_TRIGGER_CASES, KYSELY_TRIGGER_OPS).
 */
const seed = Number(process.env['KYSELY_TRIGGER_SEED'] ?? Math.floor(Math.random() * 2 ** 31))
const cases = Number(process.env['KYSELY_TRIGGER_CASES'] ?? 12)
const opsPerCase = Number(process.env['KYSELY_TRIGGER_OPS'] ?? 60)

describe(`differential part 2: random writes under triggers (kysely 0.28, seed ${seed}, ${cases} cases)`, () => {
  for (let c = 0; c < cases; c++) {
    const caseSeed = (seed + c * 7919) % 2 ** 31
    it(`case ${c} matches SQLite (replay: KYSELY_TRIGGER_SEED=${seed}; this case's script from seed ${caseSeed})`, async () => {
      if (c === 0) console.log(`    part2-random-triggers seed ${seed}`)
      const texts = script(prng(caseSeed), opsPerCase)
      await compareCase(kysely028Api, undefined, (db, api) => runScript(db, texts, api.sql))
    })
  }
})
