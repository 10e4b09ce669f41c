import { key, type Mirror, value } from './model.js'
import type { Durability } from '../../src/base/types.js'

/** One commit of a workload: changes applied through a Mirror, and an optional durability. */
export interface WorkloadCommit {
  apply(m: Mirror): void
  durability?: Durability
}

export interface Workload {
  name: string
  /** Passed to open(); small values make a dropped bucket take several commits to reclaim. */
  reclaimPerCommit?: number
  /** The page size of the new file (default 1024). */
  pageSize?: number
  commits: WorkloadCommit[]
}

const c = (apply: (m: Mirror) => void): WorkloadCommit => ({ apply })

/** A key of `length` bytes: a long run of 'L', then `n`, so keys differ only past the inline prefix. */
function longKey(n: number, length: number): Uint8Array {
  const k = Buffer.alloc(length, 'L')
  k.write(String(n).padStart(8, '0'), length - 8)
  return k
}

function range(from: number, to: number): number[] {
  const out: number[] = []
  for (let i = from; i < to; i++) out.push(i)
  return out
}

/**
 * The workloads every crash test runs, sized for page size 1024 so that each has tens to a
 * couple of hundred writes and syncs: enough to split, merge, overflow and grow the file, small
 * enough to crash at every one of them in turn.
 */
export const WORKLOADS: Workload[] = [
  {
    name: 'small commits',
    commits: range(0, 30).map((i) =>
      c((m) => {
        for (let j = 0; j < 3; j++) m.put('a', key(i * 3 + j), value(i * 3 + j, 10 + j * 7))
        m.put('b', key(i), value(1000 + i, 30))
        if (i > 0) m.put('a', key(i - 1), value(5000 + i, 12))
        if (i > 1) m.del('a', key((i - 2) * 3 + 2))
      }),
    ),
  },
  {
    name: 'large commits',
    commits: [
      c((m) => {
        for (const i of range(0, 400)) m.put('big', key(i), value(i, 20 + (i % 40)))
      }),
      c((m) => {
        for (const i of range(0, 400)) if (i % 7 === 0) m.put('big', key(i), value(i + 9999, 60))
        for (const i of range(400, 500)) m.put('big', key(i), value(i, 25))
      }),
    ],
  },
  {
    // Overwrites of values by values of the same length: written over the old ones in the leaves'
    // pages (tree/node.ts overwritePacked), in leaves that earlier commits made (WriteTx.adopt).
    name: 'same-length overwrites',
    commits: [
      c((m) => {
        for (const i of range(0, 300)) m.put('same', key(i), value(i, 30))
      }),
      ...range(1, 6).map((r) =>
        c((m) => {
          for (const i of range(0, 300)) if (i % (r + 1) === 0) m.put('same', key(i), value(i + 1000 * r, 30))
          if (r === 3) m.del('same', key(r * 7))
        }),
      ),
    ],
  },
  {
    // Leaves written ahead of the checkpoint (tx/early-pages.ts): each commit appends past the
    // last key, so the full leaves it finishes are written while its sync runs; the last commit
    // changes some of them, whose pages written ahead the checkpoint then frees.
    name: 'ascending batches',
    commits: [
      ...range(0, 5).map((b) =>
        c((m) => {
          for (const i of range(b * 100, (b + 1) * 100)) m.put('asc', key(i), value(i, 30))
        }),
      ),
      c((m) => {
        for (const i of range(0, 500)) if (i % 45 === 3) m.put('asc', key(i), value(i + 7777, 35))
        for (const i of range(120, 160)) m.del('asc', key(i))
      }),
    ],
  },
  {
    name: 'bucket create and drop',
    commits: [
      c((m) => {
        for (const i of range(0, 20)) m.put('x', key(i), value(i, 30))
        for (const i of range(0, 20)) m.put('y', key(i), value(i + 50, 30))
        m.create('empty')
      }),
      c((m) => m.drop('x')),
      c((m) => {
        for (const i of range(0, 10)) m.put('x', key(i, 'again'), value(i + 100, 15))
        m.drop('empty')
      }),
      c((m) => {
        m.drop('y')
        for (const i of range(0, 30)) m.put('z', key(i), value(i + 200, 40))
      }),
      c((m) => {
        m.drop('x')
        m.drop('z')
        m.create('last')
      }),
    ],
  },
  {
    name: 'large bucket dropped and reclaimed',
    reclaimPerCommit: 4,
    commits: [
      c((m) => {
        for (const i of range(0, 250)) m.put('big', key(i), value(i, 40))
        for (const i of range(0, 3)) m.put('big', key(i, 'ov'), value(i, 2500))
        m.put('small', key(0), value(0, 10))
      }),
      c((m) => m.drop('big')),
      ...range(1, 13).map((i) => c((m) => m.put('small', key(i), value(i, 10)))),
    ],
  },
  {
    name: 'savepoints rolled back',
    commits: [
      c((m) => {
        for (const i of range(0, 10)) m.put('a', key(i), value(i, 20))
        const sp = m.savepoint()
        for (const i of range(10, 60)) m.put('a', key(i), value(i, 50))
        m.rollbackTo(sp)
        for (const i of range(60, 70)) m.put('a', key(i), value(i, 20))
        m.release(sp)
      }),
      c((m) => {
        const sp = m.savepoint()
        m.create('temp')
        m.put('temp', key(1), value(1, 10))
        m.drop('a')
        m.rollbackTo(sp)
        m.put('a', key(100), value(100, 3000))
      }),
      c((m) => {
        const sp = m.savepoint()
        m.put('a', key(200), value(200, 30))
        const sp2 = m.savepoint()
        for (const i of range(0, 10)) m.del('a', key(i))
        m.rollbackTo(sp2)
        m.del('a', key(3))
        m.release(sp)
      }),
      c((m) => {
        const sp = m.savepoint()
        for (const i of range(0, 30)) m.put('a', key(i, 'gone'), value(i, 40))
        m.rollbackTo(sp)
        m.put('b', key(1), value(1, 5))
      }),
    ],
  },
  {
    name: 'overflow values',
    commits: [
      c((m) => {
        m.put('ov', key(1), value(1, 2000))
        m.put('ov', key(2), value(2, 5000))
        m.put('ov', key(3), value(3, 900))
        m.put('ov', key(4), value(4, 12000))
      }),
      c((m) => {
        m.put('ov', key(1), value(11, 7000))
        m.put('ov', key(2), value(12, 100))
        m.put('ov', key(5), value(5, 3000))
      }),
      c((m) => {
        m.del('ov', key(4))
        m.del('ov', key(3))
        m.put('ov', key(6), value(6, 1500))
      }),
      c((m) => m.drop('ov')),
    ],
  },
  {
    name: 'deletes that merge pages',
    commits: [
      c((m) => {
        for (const i of range(0, 300)) m.put('m', key(i), value(i, 30))
      }),
      ...range(0, 4).map((round) =>
        c((m) => {
          for (const i of range(0, 300)) if (i % 4 === round) m.del('m', key(i))
        }),
      ),
    ],
  },
  {
    // FORMAT.md §10: keys past the inline limit (236 bytes at 1 KiB pages) sharing long prefixes, so
    // leaves and branch separators hold out-of-line keys; overwrites keep their runs, deletes,
    // merges and a rolled-back savepoint free or keep them, and a drop reclaims them.
    name: 'long keys',
    reclaimPerCommit: 8,
    commits: [
      c((m) => {
        for (const i of range(0, 40)) m.put('long', longKey(i, 300 + (i % 3) * 700), value(i, 10 + (i % 5) * 7))
        m.put('long', new Uint8Array(0), value(999, 5))
        m.put('long', longKey(7, 5000), value(7, 1500))
        m.put('small', key(0), value(0, 10))
      }),
      c((m) => {
        for (const i of range(0, 40))
          if (i % 4 === 0) m.put('long', longKey(i, 300 + (i % 3) * 700), value(i + 500, i % 8 === 0 ? 2000 : 3))
        for (const i of range(0, 40)) if (i % 4 === 1) m.del('long', longKey(i, 300 + (i % 3) * 700))
      }),
      c((m) => {
        const sp = m.savepoint()
        for (const i of range(0, 40)) if (i % 4 === 2) m.del('long', longKey(i, 300 + (i % 3) * 700))
        m.rollbackTo(sp)
        for (const i of range(40, 60)) m.put('long', longKey(i, 240), value(i, 20))
        m.del('long', longKey(7, 5000))
      }),
      c((m) => {
        for (const i of range(0, 60)) if (i % 4 !== 3) m.del('long', longKey(i, i < 40 ? 300 + (i % 3) * 700 : 240))
      }),
      c((m) => m.drop('long')),
      ...range(1, 6).map((i) => c((m) => m.put('small', key(i), value(i, 10)))),
    ],
  },
  {
    name: 'file growth',
    commits: range(0, 12).map((round) =>
      c((m) => {
        for (const i of range(round * 80, (round + 1) * 80)) m.put(`g${round % 2}`, key(i), value(i, 100))
      }),
    ),
  },
]

/** The same workloads on 4096-byte pages: fewer, fuller pages and other split points. */
export const WORKLOADS_4K: Workload[] = WORKLOADS.map((w) => ({
  ...w,
  name: `${w.name} (4 KiB pages)`,
  pageSize: 4096,
}))

/** Mixed durability: some commits 'none', some 'full', for the durability 'none' tests. */
export function withDurabilities(w: Workload, pattern: Durability[]): Workload {
  return {
    ...w,
    name: `${w.name} [${pattern.join('/')}]`,
    commits: w.commits.map((cm, i) => ({ ...cm, durability: pattern[i % pattern.length] })),
  }
}

/**
 * Records past the journal's 256 KiB write-on-return bound (store/journal.ts SYNC_WRITE_LIMIT) by a
 * transaction that edits more leaves in place than its record holds: written on the caller's thread
 * with the leaves kept in place (db/committer.ts onReturnLimit), where the first overwrite's record
 * (its leaves copies, none in place) goes to the thread pool. Ten times the bytes of the other
 * workloads, so it runs on the journal path alone (crash-points.test.ts): streamed in the harness's
 * small steps it made 3,920 crash points.
 */
export const LARGE_RECORDS: Workload = {
  name: 'large records over leaves edited in place',
  commits: [
    c((m) => {
      for (const i of range(0, 1400)) m.put('wide', key(i), value(i, 200))
    }),
    ...range(1, 4).map((r) =>
      c((m) => {
        for (const i of range(0, 1400)) if (r < 3 || i % 2 === 0) m.put('wide', key(i), value(i + 10000 * r, 200))
        if (r === 3) for (const i of range(0, 1400)) if (i % 14 === 1) m.del('wide', key(i))
      }),
    ),
  ],
}
