import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { open } from '../../db/database.js'
import { Prng } from '../../io/prng.js'
import { integerOption } from '../args.js'
import { EXIT_OK } from '../cli-error.js'
import type { Command } from '../command.js'
import { Progress, formatBytes } from '../progress.js'

interface Workload {
  name: string
  ops: number
  seconds: number
  opsPerSec: number
}

export const benchCommand: Command = {
  synopsis: 'bench [--n N] [--value-size B] [--batch K] [--random] [--seed S]',
  summary: 'fill, get and scan workloads on a temporary file, with ops/s',
  details:
    'fill: N puts of 16-byte keys, K per transaction (ascending keys, or shuffled with --random);\n' +
    'get: N point reads (in random order with --random); scan: one cursor pass over all N entries.\n' +
    'Defaults: --n 100000 --value-size 100 --batch 1000.',
  arity: [0, 0],
  options: ['n', 'value-size', 'batch', 'random', 'seed'],
  async run({ options, out }) {
    const n = integerOption(options, 'n', 100_000, 1)
    const valueSize = integerOption(options, 'value-size', 100)
    const batch = integerOption(options, 'batch', 1000, 1)
    const random = options.random === true
    const seed = integerOption(options, 'seed', Prng.randomSeed())
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btree-store-bench-'))
    try {
      const result = await runBench(path.join(dir, 'bench.db'), { n, valueSize, batch, random, seed })
      if (out.json) await out.document({ n, valueSize, batch, random, seed, ...result })
      else {
        await out.line(
          `n=${n} value-size=${valueSize} batch=${batch} ${random ? `random (seed ${seed})` : 'sequential'}`,
        )
        for (const w of result.workloads) {
          await out.line(
            `${w.name.padEnd(5)} ${String(w.ops).padStart(10)} ops ${w.seconds.toFixed(3).padStart(9)} s ${Math.round(w.opsPerSec).toString().padStart(10)} ops/s`,
          )
        }
        await out.line(`file size ${formatBytes(result.fileSize)}`)
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
    return EXIT_OK
  },
}

interface BenchOptions {
  n: number
  valueSize: number
  batch: number
  random: boolean
  seed: number
}

async function runBench(file: string, o: BenchOptions): Promise<{ workloads: Workload[]; fileSize: number }> {
  const prng = new Prng(o.seed)
  const order = Array.from({ length: o.n }, (_, i) => i)
  if (o.random) shuffle(order, prng)
  const value = Buffer.alloc(o.valueSize)
  for (let i = 0; i < value.length; i++) value[i] = Math.floor(prng.next() * 256)
  const db = await open(file, { durability: 'full' })
  const workloads: Workload[] = []
  try {
    workloads.push(
      await timed('fill', o.n, async (progress) => {
        for (let start = 0; start < o.n; start += o.batch) {
          const end = Math.min(o.n, start + o.batch)
          await db.update((tx) => {
            const b = tx.createBucketIfNotExists('bench')
            for (let i = start; i < end; i++) b.put(keyOf(order[i]!), value)
          })
          progress.tick(end - start)
        }
      }),
    )
    if (o.random) shuffle(order, prng)
    workloads.push(
      await timed('get', o.n, (progress) => {
        db.view((tx) => {
          const b = tx.bucket('bench')!
          for (let i = 0; i < o.n; i++) {
            if (b.get(keyOf(order[i]!)) === undefined) throw new Error(`bench: key ${order[i]} missing`)
            if ((i & 1023) === 1023) progress.tick(1024)
          }
        })
      }),
    )
    workloads.push(
      await timed('scan', o.n, (progress) => {
        db.view((tx) => {
          const c = tx.bucket('bench')!.cursor()
          let count = 0
          for (let ok = c.first(); ok; ok = c.next()) if ((++count & 1023) === 0) progress.tick(1024)
          if (count !== o.n) throw new Error(`bench: scan saw ${count} entries, expected ${o.n}`)
        })
      }),
    )
    return { workloads, fileSize: db.info().fileSize }
  } finally {
    await db.close()
  }
}

async function timed(name: string, ops: number, fn: (p: Progress) => unknown): Promise<Workload> {
  const progress = new Progress(`bench ${name}`, ops)
  const start = process.hrtime.bigint()
  try {
    await fn(progress)
  } finally {
    progress.done()
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  return { name, ops, seconds, opsPerSec: seconds > 0 ? ops / seconds : 0 }
}

/** 16-byte keys that sort in numeric order: a big-endian counter, zero padded. */
function keyOf(i: number): Buffer {
  const k = Buffer.alloc(16)
  k.writeUInt32BE(Math.floor(i / 2 ** 32), 8)
  k.writeUInt32BE(i >>> 0, 12)
  return k
}

function shuffle(a: number[], prng: Prng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(prng.next() * (i + 1))
    const t = a[i]!
    a[i] = a[j]!
    a[j] = t
  }
}
