import { both, diffSuite } from '../helpers/differential.js'
import { seedPeople } from '../helpers/fixtures.js'

diffSuite('differential: where', () => {
  both('= on an integer column', seedPeople, (db) => db.selectFrom('people').selectAll().where('age', '=', 25))

  both('= on a text column is case-sensitive', seedPeople, (db) =>
    db.selectFrom('people').select('id').where('city', '=', 'paris'),
  )

  both('<> excludes nulls as well', seedPeople, (db) => db.selectFrom('people').select('id').where('age', '<>', 25))

  both('!= is the same as <>', seedPeople, (db) => db.selectFrom('people').select('id').where('city', '!=', 'Berlin'))

  both('< on a real column', seedPeople, (db) => db.selectFrom('people').select('id').where('score', '<', 5))

  both('<= on an integer column', seedPeople, (db) => db.selectFrom('people').select('id').where('age', '<=', 30))

  both('> on a text column compares bytes (uppercase first)', seedPeople, (db) =>
    db.selectFrom('people').select('name').where('name', '>', 'Zzz'),
  )

  both('>= on the primary key', seedPeople, (db) => db.selectFrom('people').select('id').where('id', '>=', 6))

  both('= null matches nothing', seedPeople, (db) => db.selectFrom('people').select('id').where('age', '=', null))

  both('is null', seedPeople, (db) => db.selectFrom('people').select('id').where('city', 'is', null))

  both('is not null', seedPeople, (db) => db.selectFrom('people').select('id').where('score', 'is not', null))

  both('two wheres are an and', seedPeople, (db) =>
    db.selectFrom('people').select('id').where('age', '>', 20).where('city', '=', 'Berlin'),
  )

  both('or of two comparisons', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where((eb) => eb.or([eb('age', '<', 20), eb('score', '>', 10)])),
  )

  both('and nested in or', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where((eb) => eb.or([eb.and([eb('age', '=', 25), eb('city', '=', 'Berlin')]), eb('id', '=', 1)])),
  )

  both('not of a comparison with a null operand stays unknown', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where((eb) => eb.not(eb('age', '>', 28))),
  )

  both('not of an or', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where((eb) => eb.not(eb.or([eb('city', '=', 'Lyon'), eb('city', '=', 'lyon')]))),
  )

  both('and([]) is true, or([]) is false', seedPeople, (db) => [
    db
      .selectFrom('people')
      .select('id')
      .where((eb) => eb.and([])),
    db
      .selectFrom('people')
      .select('id')
      .where((eb) => eb.or([])),
  ])

  both('in a list of integers', seedPeople, (db) =>
    db.selectFrom('people').select('id').where('age', 'in', [25, 64, 99]),
  )

  both('in a list of strings', seedPeople, (db) =>
    db.selectFrom('people').select('id').where('city', 'in', ['Paris', 'Lyon']),
  )

  both('not in a list skips nulls', seedPeople, (db) =>
    db.selectFrom('people').select('id').where('age', 'not in', [25, 30]),
  )

  both('in a list holding null matches no null', seedPeople, (db, { sql }) =>
    db
      .selectFrom('people')
      .select('id')
      .where('city', 'in', [sql.lit(null), 'Lyon']),
  )

  both('not in a list holding null matches nothing', seedPeople, (db, { sql }) =>
    db
      .selectFrom('people')
      .select('id')
      .where('city', 'not in', [sql.lit(null), 'Lyon']),
  )

  both('like with a trailing %', seedPeople, (db) => db.selectFrom('people').select('id').where('name', 'like', 'a%'))

  both('like is case-insensitive for ASCII', seedPeople, (db) =>
    db.selectFrom('people').select('id').where('city', 'like', 'PaRiS'),
  )

  both('like is case-sensitive beyond ASCII', seedPeople, (db) =>
    db.selectFrom('people').select('id').where('name', 'like', 'émile'),
  )

  both('like with _ matches exactly one character', seedPeople, (db) =>
    db.selectFrom('people').select('id').where('name', 'like', '_o_'),
  )

  both('like with % in the middle', seedPeople, (db) =>
    db.selectFrom('people').select('id').where('name', 'like', 'a%e'),
  )

  both('like matches % and _ in the data only as wildcards', seedPeople, (db) =>
    db.selectFrom('people').select('id').where('name', 'like', '%_%'),
  )

  both('like on an integer column compares its text', seedPeople, (db) =>
    db.selectFrom('people').select('id').where('age', 'like', '2%'),
  )

  both('like on a real column', seedPeople, (db) => db.selectFrom('people').select('id').where('score', 'like', '%.%'))

  both('not like', seedPeople, (db) => db.selectFrom('people').select('id').where('name', 'not like', '%e%'))

  both('like against null is unknown either way', seedPeople, (db) => [
    db.selectFrom('people').select('id').where('city', 'like', '%'),
    db.selectFrom('people').select('id').where('city', 'not like', '%'),
  ])

  both('between on integers is inclusive', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where((eb) => eb.between('age', 25, 41)),
  )

  both('between on text', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where((eb) => eb.between('name', 'B', 'e')),
  )

  both('between with bounds reversed matches nothing', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where((eb) => eb.between('age', 41, 25)),
  )

  both('not between', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where((eb) => eb.not(eb.between('score', 0, 7))),
  )

  both('a range on the primary key', seedPeople, (db) =>
    db.selectFrom('people').selectAll().where('id', '>', 2).where('id', '<=', 5),
  )

  both('a point lookup on the primary key', seedPeople, (db) => db.selectFrom('people').selectAll().where('id', '=', 4))

  both('a point lookup on a missing primary key', seedPeople, (db) =>
    db.selectFrom('people').selectAll().where('id', '=', 40),
  )

  both('column compared with a column', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where((eb) => eb('age', '<', eb.ref('id'))),
  )

  both('a where on an arithmetic expression', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where((eb) => eb(eb('age', '*', 2), '>', 60)),
  )
})
