import { decodeBucketRecord } from '../../src/page/bucket-record.js'
import { branchChild, branchKeyRun } from '../../src/page/branch-page.js'
import { PageType, pageCount, pageType } from '../../src/page/layout.js'
import {
  leafIsOverflow,
  leafKeyRun,
  leafOverflowRef,
  leafValueBytes,
  leafValueLength,
} from '../../src/page/leaf-page.js'
import { type Meta, decodeMeta } from '../../src/page/meta-page.js'
import { overflowPageCount } from '../../src/page/overflow-page.js'

/** The kinds of page a database holds, as the corruption tests name them. */
export type PageKind =
  'meta' | 'catalog branch' | 'catalog leaf' | 'branch' | 'leaf' | 'overflow' | 'key overflow' | 'freelist'

export interface PageMap {
  /** The newest valid meta and its slot. */
  newest: { meta: Meta; slot: 0 | 1 }
  older: { meta: Meta; slot: 0 | 1 }
  /** Every page reachable from the newest meta, by kind. */
  kinds: Map<number, PageKind>
}

/**
 * Classifies the pages reachable from the newest meta of a clean image, independently of the
 * engine's reader: the test needs to know which pages hold live data (a flipped bit in a free page
 * is harmless and rightly goes unnoticed).
 */
export function mapPages(image: Uint8Array, pageSize: number): PageMap {
  const page = (p: number): Buffer => Buffer.from(image.buffer, image.byteOffset + p * pageSize, pageSize)
  const metas = ([0, 1] as const).map((slot) => ({ meta: decodeMeta(page(slot), slot), slot }))
  for (const m of metas) if (typeof m.meta === 'string') throw new Error(`clean image has a bad meta: ${m.meta}`)
  const [a, b] = metas as Array<{ meta: Meta; slot: 0 | 1 }>
  const [newest, older] = a!.meta.txid > b!.meta.txid ? [a!, b!] : [b!, a!]
  const kinds = new Map<number, PageKind>([
    [0, 'meta'],
    [1, 'meta'],
  ])
  // FORMAT.md §10: an out-of-line key's run, in a leaf or as a branch separator.
  const keyRun = (run: [number, number, number] | undefined): void => {
    if (run === undefined) return
    for (let j = 0; j < overflowPageCount(pageSize, run[2]); j++) kinds.set(run[0] + j, 'key overflow')
  }
  const walk = (pgid: number, catalog: boolean): void => {
    const p = page(pgid)
    const n = pageCount(p)
    if (pageType(p) === PageType.branch) {
      kinds.set(pgid, catalog ? 'catalog branch' : 'branch')
      for (let i = 0; i < n; i++) walk(branchChild(p, i), catalog)
      for (let i = 1; i < n; i++) keyRun(branchKeyRun(p, i))
      return
    }
    kinds.set(pgid, catalog ? 'catalog leaf' : 'leaf')
    for (let i = 0; i < n; i++) {
      keyRun(leafKeyRun(p, i))
      if (catalog) walk(decodeBucketRecord(leafValueBytes(p, i), pgid).root.pgid, false)
      else if (leafIsOverflow(p, i)) {
        const [first] = leafOverflowRef(p, i)
        for (let j = 0; j < overflowPageCount(pageSize, leafValueLength(p, i)); j++) kinds.set(first + j, 'overflow')
      }
    }
  }
  walk(newest.meta.catalog.pgid, true)
  for (let i = 0; i < newest.meta.freelistPages; i++) kinds.set(newest.meta.freelist.pgid + i, 'freelist')
  return { newest, older, kinds }
}
