/**
 * Lone durable commits, alternating commit by commit between databases in one process, so that
 * the shared disk's moments fall on each alike: this build with `inlineSync` (the sync on the
 * caller's thread), this build with `inlineSync: false` (the sync on the thread pool) and, with
 * `--base`, another build (the `dist` directory of a copy of main, say). `commits` 'full'
 * single-put commits in all into buckets of `n` keys; prints each database's p50 and mean latency.
 *
 *   node dist/bench/commit-alternate.js [--commits 3000] [--n 50000] [--base /tmp/old/dist]
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import * as current from '../src/index.js'

const { values } = parseArgs({
  options: {
    commits: { type: 'string', default: '3000' },
    n: { type: 'string', default: '50000' },
    base: { type: 'string' },
  },
})
const commits = Number(values.commits)
const n = Number(values.n)
const key = (i: number): Buffer => Buffer.from(String(i).padStart(16, '0'))
const value = Buffer.alloc(100, 7)

type Open = typeof current.open
const builds: Array<[string, Open, current.OpenOptions]> = [
  ['inline', current.open, { inlineSync: true }],
  ['pool', current.open, { inlineSync: false }],
]
if (values.base !== undefined) {
  const other = (await import(path.resolve(values.base, 'src/index.js'))) as { open: Open }
  builds.push(['base', other.open, {}])
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btree-commit-alternate-'))
try {
  const dbs: current.Database[] = []
  for (const [name, open, options] of builds) {
    const db = await open(path.join(dir, `${name}.db`), options)
    await db.update(
      (tx) => {
        const b = tx.createBucket('b')
        for (let i = 0; i < n; i++) b.put(key(i * 2), value)
      },
      { durability: 'none' },
    )
    await db.checkpoint()
    dbs.push(db)
  }
  const latencies: number[][] = builds.map(() => [])
  for (let i = 0; i < commits; i++) {
    const which = i % dbs.length
    const started = process.hrtime.bigint()
    await dbs[which]!.update((tx) => tx.bucket('b')!.put(key(i * 2 + 1), value), { durability: 'full' })
    latencies[which]!.push(Number(process.hrtime.bigint() - started) / 1000)
  }
  for (const [i, [name]] of builds.entries()) {
    const l = latencies[i]!.sort((a, b) => a - b)
    const mean = l.reduce((s, x) => s + x, 0) / l.length
    console.log(
      JSON.stringify({
        workload: 'lone durable commits, alternating',
        build: name,
        commits: l.length,
        p50Us: Math.round(l[l.length >> 1]!),
        meanUs: Math.round(mean),
      }),
    )
  }
  for (const db of dbs) {
    const check = db.check()
    if (!check.ok) throw new Error(`check failed: ${check.errors[0]?.message}`)
    await db.close()
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true })
}
