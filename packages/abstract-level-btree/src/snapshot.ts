import { AbstractSnapshot } from 'abstract-level'
import type { ReadTransaction } from 'btree-store'
import type { ReadState } from './read/read-state.js'
import type { PrefixRegistry } from './routing/prefix-registry.js'

/** abstract-level's snapshot class takes `{ owner }`; its .d.ts declares no constructor. */
const SnapshotBase = AbstractSnapshot as unknown as new (options: object) => AbstractSnapshot

/**
 * An explicit snapshot (`db.snapshot()`): an engine snapshot held open until `close()`, with the
 * prefix registry of its commit, so it covers the root and every sublevel at once. Costs no copy:
 * the engine only keeps the pages it can reach from being reused.
 */
export class BTreeSnapshot extends SnapshotBase {
  readonly #state: ReadState

  constructor(options: object, tx: ReadTransaction, registry: PrefixRegistry) {
    super(options)
    this.#state = { tx, registry, release: () => {} }
  }

  /** The state readers share; they do not release it, `close()` does. */
  get state(): ReadState {
    return this.#state
  }

  async _close(): Promise<void> {
    this.#state.tx.close()
  }
}
