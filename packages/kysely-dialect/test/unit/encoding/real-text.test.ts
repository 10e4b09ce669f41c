import { expect } from 'chai'
import initSqlJs from 'sql.js'
import { formatReal } from '../../../src/encoding/real-text.js'
import { prng } from '../../helpers/random-queries.js'

/**
 * A REAL's text form against SQLite's (sql.js, SQLite 3.54): the named cases pin what SQLite 3.54
 * writes (and native 3.53.2 through better-sqlite3 alike), the seeded run compares doubles of
 * every kind with sql.js's CAST. KYSELY_REAL_TEXT_SEED replays a run; a failing seed's value goes
 * into the named cases.
 */
describe('encoding/real-text: a REAL as SQLite writes it as text', () => {
  it('17 digits unless the digits show a shorter text reads back; SQLite’s own rounding of the 17th', () => {
    const cases: [number, string][] = [
      [1 / 3, '0.33333333333333332'],
      [2 / 3, '0.66666666666666663'],
      [1 / 7, '0.14285714285714285'],
      [49.47, '49.47'],
      [0.1, '0.1'],
      [0.30000000000000004, '0.30000000000000004'],
      // 15 digits would read back, and SQLite still writes 17 (round s35: these were 15 here).
      [594.162359750483, '594.16235975048301'],
      [-8 - 0.5 / 12.75, '-8.0392156862745097'],
      [0.5 / 12.75, '0.039215686274509803'],
      [-1.684398271750269e41, '-1.6843982717502689e+41'],
      // SQLite's 18 digits are not always the correctly rounded ones (round s35: ...294 here).
      [-10831367.96951294, '-10831367.969512939'],
      [10.350877192982455, '10.350877192982455'],
      [9.999999999999998, '9.9999999999999982'],
      [3.880366424237147e-30, '3.880366424237147e-30'],
      [5e-324, '4.9406564584124654e-324'],
      [2.2250738585072014e-308, '2.2250738585072014e-308'],
      [Number.MAX_VALUE, '1.7976931348623157e+308'],
      [1e22, '1.0e+22'],
      [1e23, '1.0e+23'],
      [123456789012345680, '1.2345678901234568e+17'],
    ]
    for (const [n, text] of cases) expect(formatReal(n), String(n)).to.equal(text)
  })

  it('agrees with sql.js on doubles of every magnitude, whole and not, arithmetic results and random bits', async () => {
    const seed = Number(process.env['KYSELY_REAL_TEXT_SEED'] ?? Math.floor(Math.random() * 2 ** 31))
    const random = prng(seed)
    const SQL = await initSqlJs()
    const db = new SQL.Database()
    const cast = db.prepare('select cast(? as text)')
    const bits = new DataView(new ArrayBuffer(8))
    const differences: string[] = []
    try {
      for (let i = 0; i < 20_000; i++) {
        let v: number
        switch (i % 6) {
          case 0:
            v = (random() - 0.5) * 10 ** Math.floor(random() * 60 - 30)
            break
          case 1:
            v = Math.floor(random() * 1e6) / (1 + Math.floor(random() * 1000))
            break
          case 2:
            v = Math.floor(random() * 100) - 50 - 0.5 / (Math.floor(random() * 2000) / 100 + 0.25)
            break
          case 3:
            bits.setUint32(0, Math.floor(random() * 2 ** 32))
            bits.setUint32(4, Math.floor(random() * 2 ** 32))
            v = bits.getFloat64(0)
            break
          case 4:
            v = Number((random() * 1000).toPrecision(1 + Math.floor(random() * 17)))
            break
          default:
            v = (random() < 0.5 ? 1 : -1) * Math.floor(random() * 2 ** 53) * 2 ** Math.floor(random() * 40)
        }
        // Whole values below 2^53 would bind as integers; finite, non-zero doubles only.
        if (!Number.isFinite(v) || v === 0 || (Number.isInteger(v) && Math.abs(v) < 2 ** 53)) continue
        cast.bind([v])
        cast.step()
        const sqlite = cast.get()[0]
        cast.reset()
        if (formatReal(v) !== sqlite) differences.push(`${v}: SQLite ${String(sqlite)}, here ${formatReal(v)}`)
      }
    } finally {
      cast.free()
      db.close()
    }
    expect(differences, `seed ${seed} (KYSELY_REAL_TEXT_SEED)\n${differences.slice(0, 8).join('\n')}`).to.deep.equal([])
  })
})
