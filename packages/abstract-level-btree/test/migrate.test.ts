/**
 * copyFromLevel: a classic-level database with binary keys and values, a sublevel and a nested
 * one, copied into a BTreeLevel and read back through the root and through the same sublevels;
 * progress, re-runs, an aborted copy resumed, bad options, and the README's one-line command.
 *
 * The data is random from a printed seed; SEED=<n> replays one.
 */
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect } from 'chai'
import { ClassicLevel } from 'classic-level'
import { BTreeLevel } from '../src/index.js'
import { type CopyProgress, copyFromLevel } from '../src/copy-from-level.js'
import { expectCheckOk, prng } from './helpers.js'

const run = promisify(execFile)
const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

const ROOT_ENTRIES = 4_000
const SUB_ENTRIES = 1_500
const DEEP_ENTRIES = 300
const BATCH = 700

type Entry = [Buffer, Buffer]

function randomBytes(random: () => number, min: number, max: number): Buffer {
  const out = Buffer.alloc(min + Math.floor(random() * (max - min + 1)))
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(random() * 256)
  return out
}

interface SourceShape {
  /** Every entry of the root's keyspace, sublevels' included, in key order. */
  all: Entry[]
  /** The json sublevel's entries, its nested sublevel's included (under their prefixed keys). */
  sub: Array<[string, unknown]>
  deep: Array<[string, unknown]>
}

/**
 * Binary root entries (empty values, 0x00 and 0xff bytes included), a json sublevel, and a json
 * sublevel nested in it (json too, since the parent iterates its child's entries and decodes them).
 */
async function fillSource(db: ClassicLevel<Buffer, Buffer>, seed: number): Promise<void> {
  const random = prng(seed)
  const root = new Map<string, Entry>()
  for (const [key, value] of [
    [Buffer.from([0x00]), Buffer.alloc(0)],
    [Buffer.from([0xff, 0xff, 0xff]), randomBytes(random, 1, 8)],
  ] as Entry[]) {
    root.set(key.toString('hex'), [key, value])
  }
  while (root.size < ROOT_ENTRIES) {
    const key = randomBytes(random, 1, 40)
    // Keep root keys out of the sublevels' '!'-prefixed ranges: the sublevels own those.
    if (key[0] === 0x21) continue
    root.set(key.toString('hex'), [key, randomBytes(random, 0, 300)])
  }
  await db.batch([...root.values()].map(([key, value]) => ({ type: 'put' as const, key, value })))
  const sub = db.sublevel<string, unknown>('sub', { valueEncoding: 'json' })
  const ops = []
  for (let i = 0; i < SUB_ENTRIES; i++)
    ops.push({
      type: 'put' as const,
      key: `k${String(i).padStart(5, '0')}`,
      value: { i, tag: randomBytes(random, 0, 20).toString('base64') },
    })
  await sub.batch(ops)
  const deep = sub.sublevel<string, unknown>('deep', { valueEncoding: 'json' })
  for (let i = 0; i < DEEP_ENTRIES; i++) await deep.put(`d${i}`, randomBytes(random, 0, 50).toString('hex'))
}

/** What the test compares: the same reads on the source and on the copy. */
async function shape(db: BTreeLevel<Buffer, Buffer>): Promise<SourceShape> {
  const all = (await db.iterator({ keyEncoding: 'buffer', valueEncoding: 'buffer' }).all()) as Entry[]
  const sub = db.sublevel<string, unknown>('sub', { valueEncoding: 'json' })
  const deep = sub.sublevel<string, unknown>('deep', { valueEncoding: 'json' })
  return { all, sub: await sub.iterator().all(), deep: await deep.iterator().all() }
}

async function sourceShape(db: ClassicLevel<Buffer, Buffer>): Promise<SourceShape> {
  const all = (await db.iterator({ keyEncoding: 'buffer', valueEncoding: 'buffer' }).all()) as Entry[]
  const sub = db.sublevel<string, unknown>('sub', { valueEncoding: 'json' })
  const deep = sub.sublevel<string, unknown>('deep', { valueEncoding: 'json' })
  return { all, sub: await sub.iterator().all(), deep: await deep.iterator().all() }
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'btree-level-migrate-'))
}

describe('copyFromLevel: classic-level into BTreeLevel', function () {
  const seed = process.env.SEED === undefined ? Math.floor(Math.random() * 2 ** 32) : Number(process.env.SEED)
  let dir: string
  let sourceLocation: string
  let source: ClassicLevel<Buffer, Buffer>
  let expected: SourceShape
  let n: number

  before(async function () {
    console.log(`      migrate seed: ${seed} (SEED=${seed} replays it)`)
    dir = tempDir()
    sourceLocation = path.join(dir, 'classic')
    source = new ClassicLevel<Buffer, Buffer>(sourceLocation, { keyEncoding: 'buffer', valueEncoding: 'buffer' })
    await source.open()
    await fillSource(source, seed)
    expected = await sourceShape(source)
    n = expected.all.length
    expect(n).to.equal(ROOT_ENTRIES + SUB_ENTRIES + DEEP_ENTRIES)
    expect(expected.sub).to.have.length(SUB_ENTRIES + DEEP_ENTRIES)
    expect(expected.deep).to.have.length(DEEP_ENTRIES)
  })

  after(async function () {
    await source.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  async function openTarget(name: string): Promise<BTreeLevel<Buffer, Buffer>> {
    const db = new BTreeLevel<Buffer, Buffer>(path.join(dir, name), { keyEncoding: 'buffer', valueEncoding: 'buffer' })
    await db.open()
    return db
  }

  it('copies every entry, sublevels included, in batches with progress, and the copy survives a reopen', async function () {
    const target = await openTarget('copy')
    const progress: CopyProgress[] = []
    const result = await copyFromLevel(source, target, {
      batchSize: BATCH,
      onProgress: (p) => void progress.push({ ...p }),
    })
    const bytes = expected.all.reduce((sum, [k, v]) => sum + k.length + v.length, 0)
    expect(result).to.deep.equal({ entries: n, bytes, batches: Math.ceil(n / BATCH), resumedAfter: undefined })
    expect(progress).to.have.length(Math.ceil(n / BATCH))
    progress.forEach((p, i) => {
      expect(p.batches).to.equal(i + 1)
      expect(p.entries).to.equal(Math.min(n, (i + 1) * BATCH))
      expect(Buffer.from(p.lastKey).equals(expected.all[p.entries - 1]![0])).to.equal(true)
    })
    expect(progress.at(-1)!.bytes).to.equal(bytes)
    expect(await shape(target)).to.deep.equal(expected)
    // A few point reads through the sublevels as an application would make them.
    const sub = target.sublevel<string, unknown>('sub', { valueEncoding: 'json' })
    expect(await sub.get(expected.sub[7]![0])).to.deep.equal(expected.sub[7]![1])
    expect(await sub.sublevel<string, unknown>('deep', { valueEncoding: 'json' }).get('d3')).to.equal(
      expected.deep.find(([k]) => k === 'd3')![1],
    )
    await target.close()

    const reopened = await openTarget('copy')
    try {
      expect(await shape(reopened)).to.deep.equal(expected)
      expectCheckOk(reopened)
    } finally {
      await reopened.close()
    }
  })

  it('copies into a target whose sublevels were created before the copy', async function () {
    const target = await openTarget('sublevels-first')
    try {
      const sub = target.sublevel<string, unknown>('sub', { valueEncoding: 'json' })
      sub.sublevel('deep', { valueEncoding: 'json' })
      await copyFromLevel(source, target, { batchSize: 5_000 })
      expect(await shape(target)).to.deep.equal(expected)
      await sub.clear()
      expect(await sub.keys().all()).to.have.length(0)
      expect(await target.keys().all()).to.have.length(ROOT_ENTRIES)
      expectCheckOk(target)
    } finally {
      await target.close()
    }
  })

  it('is safe to run again: the same entries, no duplicates, entries outside the source kept', async function () {
    const target = await openTarget('twice')
    try {
      const extra = Buffer.from('~not in the source')
      await target.put(extra, extra)
      await copyFromLevel(source, target, { batchSize: 2_000 })
      const second = await copyFromLevel(source, target, { batchSize: 3_000 })
      expect(second.entries).to.equal(n)
      const all = await target.iterator().all()
      expect(all).to.have.length(n + 1)
      expect(await target.get(extra)).to.deep.equal(extra)
      expectCheckOk(target)
    } finally {
      await target.close()
    }
  })

  it('stops between batches when aborted, and resume continues after the last committed key', async function () {
    const target = await openTarget('resume')
    try {
      const controller = new AbortController()
      const copy = copyFromLevel(source, target, {
        batchSize: BATCH,
        onProgress: (p) => {
          if (p.batches === 2) controller.abort()
        },
        signal: controller.signal,
      })
      const error = await copy.then(
        () => undefined,
        (err: unknown) => err,
      )
      expect(error).to.be.instanceOf(Error)
      expect((error as { code?: string }).code).to.equal('LEVEL_ABORTED')
      expect(await target.keys().all()).to.have.length(2 * BATCH)

      const progress: number[] = []
      const rest = await copyFromLevel(source, target, {
        batchSize: BATCH,
        resume: true,
        onProgress: (p) => void progress.push(p.entries),
      })
      expect(rest.entries).to.equal(n - 2 * BATCH)
      expect(Buffer.from(rest.resumedAfter!).equals(expected.all[2 * BATCH - 1]![0])).to.equal(true)
      expect(progress.at(-1)).to.equal(n - 2 * BATCH)
      expect(await shape(target)).to.deep.equal(expected)

      const nothing = await copyFromLevel(source, target, { resume: true })
      expect(nothing).to.deep.include({ entries: 0, batches: 0 })
      expectCheckOk(target)
    } finally {
      await target.close()
    }
  })

  it('rejects with the error a progress callback throws, keeping the batches committed before it', async function () {
    const target = await openTarget('progress-throws')
    try {
      const failure = new Error('disk quota reached in the callback')
      const copy = copyFromLevel(source, target, {
        batchSize: BATCH,
        onProgress: async (p) => {
          if (p.batches === 3) throw failure
        },
      })
      expect(
        await copy.then(
          () => undefined,
          (err: unknown) => err,
        ),
      ).to.equal(failure)
      expect(await target.keys().all()).to.have.length(3 * BATCH)
      expectCheckOk(target)
    } finally {
      await target.close()
    }
  })

  it('copies an empty database as zero entries, and refuses bad arguments with TypeError or RangeError (code LEVEL_INVALID_ARGUMENT)', async function () {
    const emptySource = new ClassicLevel<Buffer, Buffer>(path.join(dir, 'empty-classic'), {
      keyEncoding: 'buffer',
      valueEncoding: 'buffer',
    })
    const target = await openTarget('empty')
    try {
      await emptySource.open()
      let calls = 0
      expect(await copyFromLevel(emptySource, target, { onProgress: () => void calls++ })).to.deep.equal({
        entries: 0,
        bytes: 0,
        batches: 0,
        resumedAfter: undefined,
      })
      expect(calls).to.equal(0)
      for (const batchSize of [0, -1, 1.5, Number.NaN]) {
        await expectRejection(copyFromLevel(source, target, { batchSize }), RangeError)
      }
      await expectRejection(copyFromLevel(source, target, { onProgress: 'yes' as unknown as () => void }), TypeError)
      await expectRejection(copyFromLevel(source, target, { resume: 1 as unknown as boolean }), TypeError)
      await expectRejection(copyFromLevel({} as unknown as ClassicLevel, target), TypeError)
      await expectRejection(copyFromLevel(source, null as unknown as ClassicLevel), TypeError)
      expect(await target.keys().all()).to.have.length(0)
    } finally {
      await emptySource.close()
      await target.close()
    }
  })

  it('the one-line command in the README copies a classic-level directory into a new BTreeLevel', async function () {
    // The source must be closed: classic-level holds a lock on its directory.
    await source.close()
    const target = path.join(dir, 'from-command-line')
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        ['--input-type=module', '-e', ONE_LINER, sourceLocation, target],
        { cwd: PACKAGE_DIR },
      )
      expect(JSON.parse(stdout)).to.deep.include({ entries: n })
      expect(stderr).to.match(new RegExp(`${n} entries`))
    } finally {
      await source.open()
    }
    const copied = await openTarget('from-command-line')
    try {
      expect(await shape(copied)).to.deep.equal(expected)
      expectCheckOk(copied)
    } finally {
      await copied.close()
    }
  })
})

/** The command exactly as the README shows it under "Moving data in from classic-level". */
const ONE_LINER = ((): string => {
  const readme = fs.readFileSync(path.join(PACKAGE_DIR, 'README.md'), 'utf8')
  const line = /^node --input-type=module -e "(.*)" \.\/db \.\/db\.btree$/m.exec(readme)
  if (line === null) throw new Error('README.md shows no one-line copy command')
  return line[1]!
})()

async function expectRejection(promise: Promise<unknown>, type: new (...args: never[]) => Error): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(error).to.be.instanceOf(type)
  expect(error).to.have.property('code', 'LEVEL_INVALID_ARGUMENT')
}
