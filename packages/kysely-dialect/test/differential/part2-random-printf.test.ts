import { compareCase } from '../helpers/differential.js'
import { prng } from '../helpers/random-queries.js'
import { kysely028Api } from '../helpers/kysely-versions.js'

/**
 * Seeded random printf() and format() calls: a format of one to three conversions with random
 * flags, widths and precisions (some from `*` arguments) over values of every storage class, bound
 * as parameters, compared with SQLite. The seed is printed; replay with KYSELY_PRINTF_SEED=<seed>,
 * KYSELY_PRINTF_QUERIES sets the count. The `!` flag stays below 16 digits for reals (SQL.md: more
 * digits than that may differ from SQLite's in the last places), and no value is negative and
 * small enough to round to zero (SQLite writes the sign of some of those and not of others).
 */
const seed = Number(process.env['KYSELY_PRINTF_SEED'] ?? Math.floor(Math.random() * 2 ** 31))
const queryCount = Number(process.env['KYSELY_PRINTF_QUERIES'] ?? 60)

const VALUES: readonly unknown[] = [
  null,
  0,
  1,
  -1,
  42,
  -42,
  255,
  1234567,
  -9007199254740991,
  0.5,
  2.5,
  -2.5,
  0.125,
  2.675,
  1.005,
  0.1,
  1 / 3,
  1 / 7,
  123.456,
  -123.25,
  9.9995,
  99.95,
  999999.5,
  1e-5,
  1e15,
  1e17,
  1e100,
  6.02214076e23,
  '',
  'abc',
  'héllo wörld',
  "it's",
  'a"b',
  '12abc',
  ' -15.5',
  '1e3',
  Buffer.from('AB'),
]
const CONVERSIONS = 'diuxXofeEgGsqQwcr%'
const FLAGS = '-+ #0,!'

describe(`differential part 2: random printf (kysely 0.28, seed ${seed}, ${queryCount} queries)`, () => {
  it(`matches SQLite (replay: KYSELY_PRINTF_SEED=${seed})`, async () => {
    console.log(`    part2-random-printf seed ${seed}`)
    await compareCase(kysely028Api, undefined, (db) => {
      const r = prng(seed)
      const pick = <T>(xs: ArrayLike<T>): T => xs[Math.floor(r() * xs.length)]!
      const call = (): { format: string; args: unknown[] } => {
        let format = ''
        const args: unknown[] = []
        const n = 1 + Math.floor(r() * 3)
        for (let k = 0; k < n; k++) {
          const type = pick(CONVERSIONS)
          const real = 'feEgG'.includes(type)
          let flags = ''
          for (let f = Math.floor(r() * 4); f > 0; f--) flags += pick(FLAGS)
          let width = ''
          if (r() < 0.15) {
            width = '*'
            args.push(Math.floor(r() * 30) - 10)
          } else if (r() < 0.5) width = String(1 + Math.floor(r() * 20))
          let precision = ''
          if (r() < 0.1) {
            precision = '.*'
            args.push(Math.floor(r() * 12))
          } else if (r() < 0.6) {
            const most = real && flags.includes('!') ? 14 : 24
            precision = `.${Math.floor(r() * most)}`
          }
          format += `${k > 0 ? pick(['|', ' ', '-', '']) : ''}%${flags}${width}${precision}${type}`
          if (type !== '%') args.push(pick(VALUES))
        }
        return { format, args }
      }
      return Array.from({ length: queryCount }, () =>
        db.selectNoFrom((eb) =>
          Array.from({ length: 6 }, (_, i) => {
            const { format, args } = call()
            return eb.fn(i % 2 === 0 ? 'printf' : 'format', [eb.val(format), ...args.map((a) => eb.val(a))]).as(`p${i}`)
          }),
        ),
      )
    })
  })
})
