import { BTreeSqlError, unsupported } from './errors.js'
import type { FlagPragma, Pragma } from './pragma.js'

/** The settings a connection keeps and reports, with no equivalent in the engine. */
export type SettingPragma = Extract<
  Pragma,
  {
    name:
      | 'cache_size'
      | 'temp_store'
      | 'mmap_size'
      | 'wal_autocheckpoint'
      | 'locking_mode'
      | 'journal_size_limit'
      | 'analysis_limit'
      | 'threads'
      | 'soft_heap_limit'
      | 'hard_heap_limit'
      | 'secure_delete'
      | FlagPragma
  }
>

/** SQLITE_MAX_WORKER_THREADS of stock builds: `threads` is cut to it. */
const MAX_WORKER_THREADS = 8

/** The flags whose `on` would change what statements do here, which is not done. */
const NOT_DONE_ON: ReadonlySet<FlagPragma> = new Set([
  'ignore_check_constraints',
  'legacy_alter_table',
  'reverse_unordered_selects',
])

/** SQLITE_MAX_MMAP_SIZE of SQLite's builds for Linux, macOS and Windows: a larger mmap_size is cut to it. */
const MAX_MMAP_SIZE = 0x7fff0000

/**
 * The per-connection settings apps send at startup that SQLite keeps per connection and this
 * engine has no use for: each is kept and reported as SQLite reports it, and changes nothing
 * (the engine's page cache is its `cacheSize` open option, its reads never map the file, it
 * checkpoints by its `journalSize` and `dirtySize` bounds, it holds the file's lock for as long as
 * it is open, and temporary tables live in the file). Defaults are stock SQLite's.
 */
export class PragmaSettings {
  /** `cache_size`: pages when positive, KiB when negative (SQLite's default -2000, 2,000 KiB). */
  #cacheSize = -2000
  /** `temp_store`: 0 default, 1 file, 2 memory. */
  #tempStore = 0
  /** `mmap_size`: bytes, 0 to MAX_MMAP_SIZE. */
  #mmapSize = 0
  /** `wal_autocheckpoint`: journal pages between automatic checkpoints; 0 when turned off. */
  #walAutocheckpoint = 1000
  #lockingMode: 'normal' | 'exclusive' = 'normal'
  /** `journal_size_limit`: bytes a journal is cut to after a checkpoint; -1 none. */
  #journalSizeLimit = -1
  #analysisLimit = 0
  #threads = 0
  #softHeapLimit = 0
  #hardHeapLimit = 0
  /** `secure_delete`: 0, 1, or 2 (`fast`). */
  #secureDelete = 0
  /** The flag pragmas, at stock SQLite's defaults. */
  readonly #flags = new Map<FlagPragma, boolean>([
    ['query_only', false],
    ['automatic_index', true],
    ['trusted_schema', true],
    ['cell_size_check', false],
    ['fullfsync', false],
    ['checkpoint_fullfsync', false],
    ['ignore_check_constraints', false],
    ['legacy_alter_table', false],
    ['reverse_unordered_selects', false],
  ])

  /** `pragma query_only`: the connection refuses writes, as on a read-only database (session.ts). */
  get queryOnly(): boolean {
    return this.#flags.get('query_only') === true
  }

  /**
   * The pragma's rows; a set changes the setting. `temporaryInTransaction` says whether a
   * transaction is open while the connection has temporary tables, when SQLite refuses to change
   * temp_store (it would close the temporary database).
   */
  answer(p: SettingPragma, temporaryInTransaction: () => boolean): Record<string, unknown>[] {
    switch (p.name) {
      case 'cache_size':
        if (p.value === undefined) return [{ cache_size: this.#cacheSize }]
        this.#cacheSize = p.value
        return []
      case 'temp_store':
        if (p.value === undefined) return [{ temp_store: this.#tempStore }]
        if (p.value !== this.#tempStore && temporaryInTransaction())
          throw new BTreeSqlError(
            'BTREE_SQL_TRANSACTION',
            'temporary storage cannot be changed from within a transaction',
          )
        this.#tempStore = p.value
        return []
      case 'mmap_size':
        // A negative size asks for the default (0), as in SQLite; a set answers with the size kept.
        if (p.value !== undefined) this.#mmapSize = Math.min(MAX_MMAP_SIZE, Math.max(0, p.value))
        return [{ mmap_size: this.#mmapSize }]
      case 'wal_autocheckpoint':
        if (p.value !== undefined) this.#walAutocheckpoint = Math.max(0, p.value)
        return [{ wal_autocheckpoint: this.#walAutocheckpoint }]
      case 'locking_mode':
        // Any other value reads the mode, as SQLite's getLockingMode does.
        if (p.value === 'normal' || p.value === 'exclusive') this.#lockingMode = p.value
        return [{ locking_mode: this.#lockingMode }]
      case 'journal_size_limit':
        if (p.value !== undefined) this.#journalSizeLimit = Math.max(-1, p.value)
        return [{ journal_size_limit: this.#journalSizeLimit }]
      case 'analysis_limit':
        if (p.value !== undefined && p.value >= 0) this.#analysisLimit = p.value
        return [{ analysis_limit: this.#analysisLimit }]
      case 'threads':
        if (p.value !== undefined && p.value >= 0) this.#threads = Math.min(MAX_WORKER_THREADS, p.value)
        return [{ threads: this.#threads }]
      case 'soft_heap_limit':
        if (p.value !== undefined && p.value >= 0)
          this.#softHeapLimit =
            this.#hardHeapLimit > 0 && (p.value === 0 || p.value > this.#hardHeapLimit) ? this.#hardHeapLimit : p.value
        return [{ soft_heap_limit: this.#softHeapLimit }]
      case 'hard_heap_limit':
        if (p.value !== undefined && p.value > 0 && (this.#hardHeapLimit === 0 || p.value < this.#hardHeapLimit)) {
          this.#hardHeapLimit = p.value
          if (this.#softHeapLimit === 0 || this.#softHeapLimit > p.value) this.#softHeapLimit = p.value
        }
        return [{ hard_heap_limit: this.#hardHeapLimit }]
      case 'secure_delete':
        if (p.value !== undefined) this.#secureDelete = p.value
        return [{ secure_delete: this.#secureDelete }]
      default: {
        const name = p.name
        if (p.value === undefined) return [{ [name]: this.#flags.get(name) === true ? 1 : 0 }]
        if (p.value && NOT_DONE_ON.has(name)) throw unsupported(`pragma ${name} = on`)
        this.#flags.set(name, p.value)
        return []
      }
    }
  }
}
