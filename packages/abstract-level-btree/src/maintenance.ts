import type { Database } from 'btree-store'
import { BucketSource } from './read/bucket-source.js'
import type { ReadState } from './read/read-state.js'
import { localRange, type KeyRange } from './routing/bucket-range.js'

/** Bytes of the keys (prefixes included) and values in `range`. O(entries in the range). */
export function approximateSize(state: ReadState, range: KeyRange): number {
  let bytes = 0
  for (const route of state.registry.routesFor(range)) {
    const local = localRange(range, route.prefix)
    if (local === undefined) continue
    const bucket = state.tx.bucket(route.bucket)
    if (bucket === undefined) continue
    const source = new BucketSource(bucket, route.prefix, local, false)
    for (source.rewind(); source.valid; source.advance())
      bytes += route.prefix.byteLength + source.key.byteLength + source.value.byteLength
  }
  return bytes
}

const PROPERTIES: Record<string, (engine: Database) => string> = {
  'btree.stats': (engine) => JSON.stringify(engine.stats()),
  'btree.info': (engine) => JSON.stringify(engine.info()),
  'btree.txid': (engine) => String(engine.txid),
  'btree.check': (engine) => JSON.stringify(engine.check()),
}

export function getProperty(engine: Database, name: string): string {
  const read = PROPERTIES[name]
  return read === undefined ? '' : read(engine)
}
