import type { ReadTransaction } from 'btree-store'
import type { PrefixRegistry } from '../routing/prefix-registry.js'

/** A snapshot to read from: the engine's, and where each key lives as of it. */
export interface ReadState {
  readonly tx: ReadTransaction
  readonly registry: PrefixRegistry
  /** Releases the engine snapshot when the reader owns it (a no-op for an explicit snapshot's). */
  release(): void
}
