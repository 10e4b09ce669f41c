import { AbstractSublevel } from 'abstract-level'
import { storeOf } from './level-store.js'

type SublevelConstructor = new (
  db: object,
  name: string | string[],
  options?: object,
) => AbstractSublevel<object, string | Buffer | Uint8Array, unknown, unknown>
/** abstract-level's sublevel, typed for subclassing (its .d.ts lacks the private API). */
const SublevelBase = AbstractSublevel as unknown as SublevelConstructor

/**
 * A sublevel of a BTreeLevel: abstract-level's own, which writes through its parent's public API
 * with its prefix applied, plus one thing: it declares its prefix to the root, so that its keys
 * go to a bucket of their own (made at the first put) instead of the parent's. Nested sublevels are
 * BTreeSublevels too. Synchronous, and may run before the database is open.
 */
export class BTreeSublevel extends SublevelBase {
  constructor(db: object, name: string | string[], options?: object) {
    super(db, name, options)
    storeOf(this.db)?.declare(this.prefix)
  }

  _sublevel(name: string | string[], options: object): BTreeSublevel {
    return new BTreeSublevel(this, name, options)
  }
}
