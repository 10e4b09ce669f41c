import { both, diffSuite, rawOutcomes } from '../helpers/differential.js'

/**
 * The startup and maintenance pragmas apps send to SQLite, as SQLite answers them. What the two
 * sides answer differently by design is held in integration/pragmas.test.ts instead: the oracle is
 * an in-memory database (no WAL: wal_checkpoint answers -1s, mmap_size 0 or nothing), better-sqlite3
 * builds with another default cache_size (-16000), and page_count and freelist_count are the
 * files' own. A setting is only read here once the case has set it.
 */
diffSuite('differential: part 2 pragmas', () => {
  both(
    'cache_size, temp_store, wal_autocheckpoint, locking_mode: set and read in every spelling',
    undefined,
    (db, { sql }) =>
      rawOutcomes(
        db,
        sql,
        [
          'pragma cache_size = 100',
          'pragma cache_size',
          "PRAGMA main.cache_size('-50');",
          'pragma cache_size',
          'pragma cache_size = -4000',
          'pragma main.cache_size',
          'pragma temp_store',
          'pragma temp_store = memory',
          'pragma temp_store',
          'pragma temp_store=FILE',
          'pragma temp_store',
          "pragma temp_store('2')",
          'pragma temp_store',
          // getTempStore: a leading 0-2 is the value, anything else the default.
          'pragma temp_store = 7',
          'pragma temp_store',
          'pragma temp_store(12)',
          'pragma temp_store',
          'pragma temp_store = bogus',
          'pragma temp_store',
          'pragma wal_autocheckpoint',
          'pragma wal_autocheckpoint = 500',
          'pragma wal_autocheckpoint',
          'pragma main.wal_autocheckpoint(-3)',
          'pragma wal_autocheckpoint',
          'pragma locking_mode',
          'pragma locking_mode = exclusive',
          'pragma locking_mode',
          // Another value reads the mode.
          'pragma locking_mode = bogus',
          "pragma locking_mode('EXCLUSIVE')",
          'pragma locking_mode',
        ],
        'failed',
      ),
  )

  both(
    'encoding, auto_vacuum, page_size: the file keeps its own once it has a table',
    undefined,
    async (db, { sql }) => {
      await db.schema.createTable('t').addColumn('a', 'integer').execute()
      return rawOutcomes(
        db,
        sql,
        [
          'pragma encoding',
          "pragma encoding = 'UTF-16'",
          'pragma encoding = bogus',
          'pragma encoding',
          'pragma auto_vacuum',
          'pragma auto_vacuum = full',
          'pragma auto_vacuum',
          'pragma main.auto_vacuum(incremental)',
          'pragma auto_vacuum',
          'pragma page_size',
          'pragma page_size = 8192',
          'pragma page_size = 1000',
          'pragma page_size',
        ],
        'failed',
      )
    },
  )

  both('temp_store cannot change inside a transaction while temporary tables exist', undefined, (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'create temp table scratch (x)',
        'begin',
        'pragma temp_store = memory',
        'pragma temp_store',
        // The same value is no change.
        'pragma temp_store = default',
        'rollback',
        'select count(*) as n from scratch',
      ],
      'failed',
    ),
  )

  both('wal_checkpoint inside a transaction that wrote fails', undefined, (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'create table t (a)',
        'begin',
        'insert into t values (1)',
        'pragma wal_checkpoint',
        'pragma wal_checkpoint(truncate)',
        'commit',
        'select a from t',
      ],
      'failed',
    ),
  )

  // SQLite lists a schema in its hash table's order: the reverse of creation up to four entries
  // (sqlite_schema one of them), reshuffled from the fifth on.
  both('table_list: newest table first, each schema its own table last', undefined, (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'create table a (x)',
        'create table g (a int, b int generated always as (a * 2) virtual, c int as (a + 1) stored, d text)',
        'create table ws (k text primary key) strict, without rowid',
        'create temp table tt (x, y)',
        'create temp table tu (z)',
        'pragma table_list',
        'pragma main.table_list',
        'pragma temp.table_list',
        'pragma table_list(g)',
        "pragma table_list('WS')",
        'pragma table_list("tt")',
        // Matched against SQLite's internal names of its own tables.
        'pragma table_list(sqlite_master)',
        'pragma table_list(sqlite_schema)',
        'pragma table_list(sqlite_temp_master)',
        'pragma table_list(nope)',
        'pragma main.table_list(tt)',
        'pragma temp.table_list(tt)',
      ],
      'failed',
    ),
  )

  both('table_list: the same rows for more tables and views (compared as sets)', undefined, async (db, { sql }) => {
    const outcomes = await rawOutcomes(
      db,
      sql,
      [
        'create table t (a, b)',
        'create view v as select a from t',
        'create view v2 (x, y, z) as select a, b, a + b from t',
        'create table u (id integer primary key)',
        'create table w (k text primary key, v) without rowid',
        'create table s (a integer, b text) strict',
        'create temp table tt (x)',
        'pragma table_list',
        'pragma table_list(v2)',
        'pragma main.table_list',
      ],
      'failed',
    )
    const key = (r: unknown): string => JSON.stringify(r)
    return outcomes.map((rows) => (Array.isArray(rows) ? [...rows].sort((a, b) => key(a).localeCompare(key(b))) : rows))
  })

  both(
    'table_xinfo lists generated columns (hidden 2 virtual, 3 stored); table_info leaves them out',
    undefined,
    (db, { sql }) =>
      rawOutcomes(
        db,
        sql,
        [
          "create table g (a int not null default 3, b int generated always as (a * 2) virtual, c text as (a || 'x') stored, d text, e int as (a - 1))",
          'create table k (id text primary key, v) without rowid',
          'pragma table_info(g)',
          'pragma table_xinfo(g)',
          'pragma main.table_xinfo("g")',
          'pragma table_xinfo(k)',
          'pragma table_info(sqlite_schema)',
          'pragma table_xinfo(sqlite_master)',
          'pragma table_xinfo(nope)',
          'pragma table_xinfo',
          'alter table g add column f int as (a + 1)',
          'pragma table_xinfo(g)',
          'pragma table_info(g)',
        ],
        'failed',
      ),
  )

  both('integrity_check and quick_check on a sound file, and their arguments', undefined, (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'create table t (id integer primary key, a text unique, b)',
        'create index t_b on t (b)',
        'create index t_p on t (b) where b > 2',
        'create table k (a, b, primary key (b, a)) without rowid',
        'create index k_a on k (lower(a))',
        'create view v as select a from t',
        "insert into t (a, b) values ('x', 1), ('y', 2), ('z', 3), (null, null), (null, 4)",
        "insert into k values ('A', 1), ('b', 2)",
        'delete from t where id = 2',
        'pragma integrity_check',
        'pragma quick_check',
        'pragma integrity_check(5)',
        'pragma integrity_check(0)',
        'pragma integrity_check(-1)',
        'pragma integrity_check = 3',
        'pragma main.integrity_check',
        'pragma integrity_check(t)',
        'pragma integrity_check("k")',
        'pragma integrity_check(v)',
        'pragma integrity_check(sqlite_schema)',
        'pragma quick_check(2)',
        'pragma quick_check(k)',
        // A quoted number names a table, as SQLite's sqlite3GetInt32 reads the token.
        "pragma integrity_check('5')",
        'pragma integrity_check(nope)',
        'pragma quick_check(nope)',
      ],
      'failed',
    ),
  )

  // Round s32: case_sensitive_like and recursive_triggers were BTREE_SQL_UNSUPPORTED.
  both(
    'case_sensitive_like changes LIKE (operator, function, indexed prefix); recursive_triggers stays off',
    undefined,
    async (db, { sql }) =>
      rawOutcomes(
        db,
        sql,
        [
          'create table w (id integer primary key, t text)',
          'create index w_t on w (t)',
          "insert into w (t) values ('Apple'), ('apple'), ('APPLE pie'), ('banana'), ('a_b'), ('A_B')",
          "select id from w where t like 'app%' order by id",
          'pragma case_sensitive_like',
          'pragma case_sensitive_like = 1',
          "select id from w where t like 'app%' order by id",
          "select id from w where t like 'A%' order by id",
          "select id from w where t not like 'a%' order by id",
          "select like('a!_b', t, '!'), t like 'A!_B' escape '!' from w order by id",
          "select 'X' like 'x', 'x' like 'x'",
          'pragma case_sensitive_like = off',
          "select id from w where t like 'app%' order by id",
          "select 'X' like 'x'",
          'pragma recursive_triggers',
          'pragma recursive_triggers = off',
          'pragma recursive_triggers',
        ],
        'failed',
      ),
  )

  // Round s32: index_xinfo was BTREE_SQL_UNSUPPORTED; index_info gave cid -2 for `c collate x`.
  both(
    'index_xinfo: directions, collations, the key columns and the columns each entry holds',
    undefined,
    async (db, { sql }) => {
      await db.schema
        .createTable('bt')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('a', 'text')
        .addColumn('b', 'integer')
        .execute()
      await db.schema.createIndex('bt_ab').on('bt').columns(['a desc', 'b']).execute()
      return rawOutcomes(
        db,
        sql,
        [
          'create table t (id integer primary key, a text collate nocase, b, c)',
          'create index i1 on t (a desc, b)',
          'create index i2 on t (lower(b), c collate rtrim)',
          'create table k (x, y, z, primary key (y, x)) without rowid',
          'create index k1 on k (z)',
          'create table r (x text primary key, y)',
          'create index r1 on r (y asc)',
          'pragma index_xinfo(i1)',
          'pragma index_xinfo(i2)',
          'pragma index_xinfo(k1)',
          'pragma index_xinfo(sqlite_autoindex_k_1)',
          'pragma index_xinfo(r1)',
          'pragma index_xinfo(sqlite_autoindex_r_1)',
          'pragma index_xinfo(bt_ab)',
          'pragma index_xinfo(nope)',
          'pragma index_info(i2)',
          "select name, desc, coll from pragma_index_xinfo('i1') where key = 1",
        ],
        'failed',
      )
    },
  )
  both(
    // threads (0 in sql.js's single-threaded build) and the heap limits (process-wide in SQLite)
    // are held in integration/pragmas.test.ts.
    'journal_size_limit, analysis_limit, secure_delete, the flag pragmas, query_only and the listings',
    undefined,
    (db, { sql }) =>
      rawOutcomes(
        db,
        sql,
        [
          'pragma journal_size_limit = 67108864',
          'pragma journal_size_limit',
          'pragma journal_size_limit = -5',
          'pragma analysis_limit = 400',
          'pragma analysis_limit',
          'pragma secure_delete = fast',
          'pragma secure_delete = on',
          'pragma secure_delete = 0',
          'pragma trusted_schema = off',
          'pragma trusted_schema',
          'pragma automatic_index = 0',
          'pragma automatic_index',
          'pragma cell_size_check = on',
          'pragma cell_size_check',
          'pragma fullfsync = 1',
          'pragma fullfsync',
          'pragma checkpoint_fullfsync',
          'pragma ignore_check_constraints',
          'pragma legacy_alter_table = off',
          'pragma reverse_unordered_selects',
          'pragma data_version',
          'pragma collation_list',
          'pragma shrink_memory',
          'pragma incremental_vacuum',
          'pragma incremental_vacuum(10)',
          'pragma main.journal_size_limit',
          'create table t (a)',
          'pragma query_only',
          'pragma query_only = 1',
          'pragma query_only',
          'insert into t values (1)',
          'update t set a = 2',
          'delete from t',
          'create temp table x (a)',
          'create table u (a)',
          'drop table t',
          'pragma user_version = 3',
          'analyze',
          'select * from t',
          'begin',
          'select count(*) from t',
          'commit',
          'pragma user_version',
          'pragma query_only = 0',
          'insert into t values (2)',
          'select * from t',
        ],
        'message',
      ),
  )
  both(
    'schema_version: one more per statement that changes the main schema, the first analyze too',
    undefined,
    (db, { sql }) =>
      rawOutcomes(
        db,
        sql,
        [
          'create table t (a, b)',
          'pragma schema_version',
          'create index i on t (a)',
          'pragma schema_version',
          'create view v as select a from t',
          'pragma schema_version',
          'create trigger tr after insert on t begin select 1; end',
          'pragma schema_version',
          'alter table t add column c',
          'pragma schema_version',
          'alter table t rename column c to d',
          'pragma schema_version',
          'alter table t rename to t2',
          'pragma schema_version',
          'alter table t2 drop column d',
          'pragma schema_version',
          'drop index i',
          'pragma schema_version',
          'drop view v',
          'pragma schema_version',
          'create temp table x (a)',
          'pragma schema_version',
          'insert into t2 values (1,2)',
          'pragma schema_version',
          'create index j on t2 (b)',
          'pragma schema_version',
          'analyze',
          'pragma schema_version',
          'analyze',
          'pragma schema_version',
          'analyze t2',
          'pragma schema_version',
          'create table s (a integer primary key autoincrement)',
          'pragma schema_version',
          'insert into s default values',
          'pragma schema_version',
          'create table if not exists s (a)',
          'pragma schema_version',
          'drop table if exists nope',
          'pragma schema_version',
          'begin',
          'pragma schema_version',
          'create table u (a)',
          'pragma schema_version',
          'create table w (a)',
          'pragma schema_version',
          'commit',
          'pragma schema_version',
          'begin',
          'pragma schema_version',
          'create table z (a)',
          'pragma schema_version',
          'rollback',
          'pragma schema_version',
          'reindex',
          'pragma schema_version',
          'create table t2 (x)',
          'pragma schema_version',
          'drop table t2',
          'pragma schema_version',
          'create temp view tv as select 1',
          'pragma schema_version',
          'pragma user_version = 5',
          'pragma schema_version',
          'pragma optimize',
          'pragma schema_version',
        ],
        'failed',
      ),
  )
})
