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

  it('reads the connection settings with the integer SQLite reads', () => {
    expect(raw('pragma cache_size = -20000')).to.deep.equal({ name: 'cache_size', value: -20000 })
    expect(raw("PRAGMA main.cache_size('64');")).to.deep.equal({ name: 'cache_size', value: 64 })
    expect(raw('pragma cache_size')).to.deep.equal({ name: 'cache_size', value: undefined })
    // getTempStore: a leading 0-2, the names, else 0.
    expect(raw('pragma temp_store = MEMORY')).to.deep.equal({ name: 'temp_store', value: 2 })
    expect(raw("pragma temp_store('file')")).to.deep.equal({ name: 'temp_store', value: 1 })
    expect(raw('pragma temp_store = 12')).to.deep.equal({ name: 'temp_store', value: 1 })
    expect(raw('pragma temp_store = 7')).to.deep.equal({ name: 'temp_store', value: 0 })
    expect(raw('pragma mmap_size = 268435456')).to.deep.equal({ name: 'mmap_size', value: 268435456 })
    expect(raw('pragma mmap_size(0x10)')).to.deep.equal({ name: 'mmap_size', value: 16 })
    expect(raw('pragma wal_autocheckpoint = -3')).to.deep.equal({ name: 'wal_autocheckpoint', value: -3 })
    expect(raw('pragma locking_mode = "EXCLUSIVE"')).to.deep.equal({ name: 'locking_mode', value: 'exclusive' })
    expect(raw('pragma encoding')).to.deep.equal({ name: 'encoding', value: undefined })
    expect(raw("pragma encoding = 'UTF-16le'")).to.deep.equal({ name: 'encoding', value: 'utf-16le' })
    expect(raw('pragma auto_vacuum = full')).to.deep.equal({ name: 'auto_vacuum', value: 'full' })
    expect(raw('pragma main.page_size=8192')).to.deep.equal({ name: 'page_size', value: '8192' })
    expect(raw('pragma page_count')).to.deep.equal({ name: 'page_count', value: undefined })
    expect(raw('pragma freelist_count;')).to.deep.equal({ name: 'freelist_count', value: undefined })
  })

  it('reads wal_checkpoint modes, integrity_check limits and tables, table_list and table_xinfo', () => {
    expect(raw('pragma wal_checkpoint')).to.deep.equal({ name: 'wal_checkpoint', mode: 'passive' })
    expect(raw('PRAGMA wal_checkpoint(TRUNCATE);')).to.deep.equal({ name: 'wal_checkpoint', mode: 'truncate' })
    expect(raw('pragma main.wal_checkpoint = full')).to.deep.equal({ name: 'wal_checkpoint', mode: 'full' })
    expect(raw('pragma wal_checkpoint(bogus)')).to.deep.equal({ name: 'wal_checkpoint', mode: 'passive' })
    expect(raw('pragma integrity_check')).to.deep.equal({ name: 'integrity_check', limit: 100, table: undefined })
    expect(raw('pragma integrity_check(5)')).to.deep.equal({ name: 'integrity_check', limit: 5, table: undefined })
    expect(raw('pragma integrity_check = 0')).to.deep.equal({ name: 'integrity_check', limit: 100, table: undefined })
    expect(raw('pragma quick_check(t)')).to.deep.equal({ name: 'quick_check', limit: 100, table: 't' })
    // sqlite3GetInt32 reads the token as written: a quoted number, or one past 32 bits, is a table.
    expect(raw("pragma integrity_check('5')")).to.deep.equal({ name: 'integrity_check', limit: 100, table: '5' })
    expect(raw('pragma integrity_check(9999999999)')).to.deep.equal({
      name: 'integrity_check',
      limit: 100,
      table: '9999999999',
    })
    expect(raw('pragma table_list')).to.deep.equal({ name: 'table_list', table: undefined, schema: undefined })
    expect(raw('pragma temp.table_list("it""s")')).to.deep.equal({ name: 'table_list', table: 'it"s', schema: 'temp' })
    expect(raw('pragma table_xinfo(g)')).to.deep.equal({ name: 'table_xinfo', table: 'g' })
  })

  it('leaves every other pragma and text alone', () => {
    expect(raw('pragma temp.cache_size = -20000')).to.equal(undefined)
    expect(raw('pragma max_page_count')).to.equal(undefined)
    expect(raw('pragma cache_size = 1 2')).to.equal(undefined)
    expect(raw('pragma count_changes')).to.equal(undefined)
    expect(raw('select 1')).to.equal(undefined)
  })
})
