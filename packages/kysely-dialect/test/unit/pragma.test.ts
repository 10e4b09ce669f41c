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

  it('reads the settings: journal_mode, synchronous by name or number, user_version, busy_timeout, table_info', () => {
    expect(raw('pragma journal_mode = wal')).to.deep.equal({ name: 'journal_mode', value: 'wal' })
    expect(raw('PRAGMA synchronous = NORMAL;')).to.deep.equal({ name: 'synchronous', value: 1 })
    expect(raw("pragma synchronous('extra')")).to.deep.equal({ name: 'synchronous', value: 3 })
    expect(raw('pragma synchronous = 0')).to.deep.equal({ name: 'synchronous', value: 0 })
    expect(raw('pragma main.user_version = 12')).to.deep.equal({ name: 'user_version', value: 12 })
    expect(raw('pragma application_id')).to.deep.equal({ name: 'application_id', value: undefined })
    expect(raw('pragma busy_timeout(250)')).to.deep.equal({ name: 'busy_timeout', value: 250 })
    expect(raw('pragma table_info("my table")')).to.deep.equal({ name: 'table_info', table: 'my table' })
    expect(raw('pragma index_list(t)')).to.deep.equal({ name: 'index_list', table: 't' })
    expect(raw("pragma index_info('sqlite_autoindex_t_1')")).to.deep.equal({
      name: 'index_info',
      table: 'sqlite_autoindex_t_1',
    })
    expect(raw('analyze')).to.deep.equal({ name: 'analyze', table: undefined })
    expect(raw('ANALYZE main.person;')).to.deep.equal({ name: 'analyze', table: 'person' })
    expect(raw('pragma optimize')).to.deep.equal({ name: 'optimize', table: undefined })
  })

  it('leaves every other pragma and text alone', () => {
    expect(raw('pragma cache_size = -20000')).to.equal(undefined)
    expect(raw('pragma index_xinfo(t)')).to.equal(undefined)
    expect(raw('select 1')).to.equal(undefined)
  })
})
