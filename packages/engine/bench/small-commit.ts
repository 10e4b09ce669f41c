/**
 * The CPU cost of a small commit: `commits` updates of `puts` puts each (16-byte keys, 100-byte
 * values) into a bucket of `n` keys, one after the other, for each durability; prints the CPU time
 * (user + system, process.cpuUsage) and wall time per commit, and the share of it spent in GC.
 *
 *   node dist/bench/small-commit.js [--commits 20000] [--n 10000] [--puts 1] [--only none,full] [--inline-sync true]
 *
 * `--inline-sync false` opens with `inlineSync: false`: a 'full' commit's sync goes through the
 * thread pool instead of the caller's thread.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PerformanceObserver, performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { open } from '../src/index.js'
import type { Durability } from '../src/index.js'

const { values } = parseArgs({
  options: {
    commits: { type: 'string', default: '20000' },
    n: { type: 'string', default: '10000' },
    puts: { type: 'string', default: '1' },
    only: { type: 'string', default: 'none,full' },
    'inline-sync': { type: 'string', default: 'true' },
  },
})
const inlineSync = values['inline-sync'] !== 'false'
const commits = Number(values.commits)
const n = Number(values.n)
const puts = Number(values.puts)
const key = (i: number): Buffer => Buffer.from(String(i).padStart(16, '0'))
const keys = Array.from({ length: n }, (_, i) => key(i))
const value = Buffer.alloc(100, 7)

let gcMs = 0
let measuredFrom = Infinity // GC entries arrive late: count only those that started while measured
const gc = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (entry.startTime >= measuredFrom) gcMs += entry.duration
})
gc.observe({ entryTypes: ['gc'] })

const run = async (durability: Durability): Promise<void> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btree-small-commit-'))
  try {
    const db = await open(path.join(dir, 'small.db'), { durability, inlineSync })
    await db.update((tx) => {
      const b = tx.createBucket('t')
      for (const k of keys) b.put(k, value)
    })
    await db.checkpoint()
    const commit = (i: number): Promise<void> =>
      db.update((tx) => {
        const b = tx.bucket('t')!
        for (let p = 0; p < puts; p++) b.put(keys[(i * 7919 + p * 104_729) % n]!, value)
      })
    for (let i = 0; i < Math.min(2000, commits); i++) await commit(i) // warm-up
    gcMs = 0
    measuredFrom = performance.now()
    const cpu = process.cpuUsage()
    const wall = process.hrtime.bigint()
    for (let i = 0; i < commits; i++) await commit(i)
    const wallUs = Number(process.hrtime.bigint() - wall) / 1000
    const used = process.cpuUsage(cpu)
    await new Promise((resolve) => setTimeout(resolve, 50)) // let the last GC entries arrive
    measuredFrom = Infinity
    const cpuUs = used.user + used.system
    const check = db.check()
    if (!check.ok) throw new Error(`check failed: ${check.errors[0]?.message}`)
    await db.close()
    console.log(
      JSON.stringify({
        workload: 'small commit',
        durability,
        inlineSync,
        puts,
        n,
        commits,
        cpuUsPerCommit: Math.round((cpuUs / commits) * 100) / 100,
        userUsPerCommit: Math.round((used.user / commits) * 100) / 100,
        systemUsPerCommit: Math.round((used.system / commits) * 100) / 100,
        wallUsPerCommit: Math.round((wallUs / commits) * 100) / 100,
        gcShare: Math.round(((gcMs * 1000) / cpuUs) * 1000) / 1000,
      }),
    )
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

for (const durability of values.only.split(',') as Durability[]) await run(durability)
gc.disconnect()
