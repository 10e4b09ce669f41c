import { expect } from 'chai'
import { CompiledQuery } from 'kysely'
import { matchPragma } from '../../src/pragma.js'

describe('pragma', () => {
  const raw = (s: string) => matchPragma(CompiledQuery.raw(s).query)

  it('reads foreign_keys and defer_foreign_keys, set or read, in SQLite spellings', () => {
    expect(raw('pragma foreign_keys')).to.deep.equal({ name: 'foreign_keys', value: undefined })
    expect(raw('PRAGMA main.foreign_keys = ON;')).to.deep.equal({ name: 'foreign_keys', value: true })
    expect(raw('pragma foreign_keys=0')).to.deep.equal({ name: 'foreign_keys', value: false })
    expect(raw("pragma foreign_keys = 'yes'")).to.deep.equal({ name: 'foreign_keys', value: true })
    expect(raw('pragma foreign_keys(false)')).to.deep.equal({ name: 'foreign_keys', value: false })
    expect(raw('pragma defer_foreign_keys = true')).to.deep.equal({ name: 'defer_foreign_keys', value: true })
    // sqlite3GetBoolean: anything else is false.
    expect(raw('pragma foreign_keys = maybe')).to.deep.equal({ name: 'foreign_keys', value: false })
  })

  it('reads foreign_key_list and foreign_key_check with their table, quoted or not', () => {
    expect(raw('pragma foreign_key_check')).to.deep.equal({ name: 'foreign_key_check', table: undefined })
    expect(raw('pragma foreign_key_check(c);')).to.deep.equal({ name: 'foreign_key_check', table: 'c' })
    expect(raw('pragma main.foreign_key_list("a ""b""")')).to.deep.equal({ name: 'foreign_key_list', table: 'a "b"' })
    expect(raw("PRAGMA foreign_key_list('it''s')")).to.deep.equal({ name: 'foreign_key_list', table: "it's" })
  })

  it('leaves every other pragma and text alone', () => {
    expect(raw('pragma journal_mode = wal')).to.equal(undefined)
    expect(raw('select 1')).to.equal(undefined)
  })
})
