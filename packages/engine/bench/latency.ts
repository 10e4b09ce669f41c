/**
 * Commit latency under load (issue 9): `writers` concurrent writers each commit `'full'` single
 * puts in a loop for `seconds`, into a bucket of `n` keys; prints commits/s and the p50 / p99 / max
 * commit latency, checkpoints included; the checkpoints that ran, and the event loop's delays
 * (monitorEventLoopDelay: a checkpoint's spill runs on the loop).
 *
 *   node dist/bench/latency.js [--seconds 10] [--writers 64] [--n 200000] [--journal-mib 64] [--inline-sync true]
 *
 * `--journal-mib` is the journalSize option: smaller, checkpoints come more often. `--inline-sync
 * false` opens with `inlineSync: false` (every sync on the thread pool).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { open } from '../src/index.js'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    writers: { type: 'string', default: '64' },
    n: { type: 'string', default: '200000' },
    'journal-mib': { type: 'string', default: '64' },
    'inline-sync': { type: 'string', default: 'true' },
  },
})
const inlineSync = values['inline-sync'] !== 'false'
const journalMib = Number(values['journal-mib'])
const seconds = Number(values.seconds)
const writers = Number(values.writers)
const n = Number(values.n)
const key = (i: number): Buffer => Buffer.from(String(i).padStart(16, '0'))

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btree-latency-'))
try {
  const db = await open(path.join(dir, 'latency.db'), { journalSize: journalMib * 1024 * 1024, inlineSync })
  for (let start = 0; start < n; start += 10_000) {
    await db.update(
      (tx) => {
        const b = tx.createBucketIfNotExists('b')
        for (let i = start; i < Math.min(n, start + 10_000); i++) b.put(key(i), Buffer.alloc(100, i))
      },
      { durability: 'none' },
    )
  }
  await db.checkpoint()
  const latencies: number[] = []
  const end = Date.now() + seconds * 1000
  const writer = async (w: number): Promise<void> => {
    for (let i = 0; Date.now() < end; i++) {
      const k = key((w * 7919 + i * 104_729) % (2 * n))
      const t = process.hrtime.bigint()
      await db.update((tx) => tx.bucket('b')!.put(k, Buffer.alloc(100, i)), { durability: 'full' })
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6)
    }
  }
  let checkpoints = 0
  let lastCheckpoint = db.info().checkpointTxid
  const poll = setInterval(() => {
    const t = db.info().checkpointTxid
    if (t !== lastCheckpoint) checkpoints++
    lastCheckpoint = t
  }, 5)
  const loop = monitorEventLoopDelay({ resolution: 5 })
  loop.enable()
  const started = Date.now()
  const firstTxid = db.txid
  await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)))
  const elapsed = (Date.now() - started) / 1000
  // Txids taken: one per group commit, and one per checkpoint.
  const groups = db.txid - firstTxid - checkpoints
  loop.disable()
  clearInterval(poll)
  latencies.sort((a, b) => a - b)
  const q = (p: number): number =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! * 100) / 100
  const check = db.check()
  if (!check.ok) throw new Error(`check failed: ${check.errors[0]?.message}`)
  await db.close()
  console.log(
    JSON.stringify({
      workload: 'commit latency',
      writers,
      seconds,
      n,
      commits: latencies.length,
      commitsPerSec: Math.round(latencies.length / elapsed),
      updatesPerCommit: Math.round((latencies.length / groups) * 10) / 10,
      p50Ms: q(0.5),
      p99Ms: q(0.99),
      maxMs: q(1),
      journalMib,
      inlineSync,
      checkpoints,
      loopDelayP99Ms: Math.round(loop.percentile(99) / 1e4) / 100,
      loopDelayMaxMs: Math.round(loop.max / 1e4) / 100,
    }),
  )
} finally {
  fs.rmSync(dir, { recursive: true, force: true })
}
