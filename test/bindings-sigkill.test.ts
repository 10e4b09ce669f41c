/**
 * Cross-package: real processes, real files, real fdatasync. A child writes through btree-level
 * (`sync: true` batches across the root and a sublevel) or kysely-btree (transactions that insert
 * rows, move an indexed value and bump a counter) and is SIGKILLed at a random moment. Reopened
 * (the dead child's lock file still lying there), the database must hold every round the child
 * reported, each round whole or not at all, with indexes that agree with their table and an engine
 * check() that passes; the next child then carries on in the same file.
 */
import { expect } from 'chai'
import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { open } from 'btree-store'
import { BTreeLevel } from 'btree-level'
import { ROWS_PER_ROUND, levelRound, openDialect } from './bindings-crash-data.js'

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bindings-crash-child.js')
const ROUNDS = Number(process.env['BINDINGS_SIGKILL_ROUNDS'] ?? 6)

/** A seeded PRNG (mulberry32): the delays before each kill, replayable with BINDINGS_SIGKILL_SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface Writer {
  child: ChildProcess
  acks: number[]
  ready: Promise<void>
  exited: Promise<void>
  stderr: () => string
}

function startWriter(kind: 'level' | 'kysely', dir: string, first: number): Writer {
  const child = spawn(process.execPath, [CHILD, kind, dir, String(first)], { stdio: ['ignore', 'pipe', 'pipe'] })
  const acks: number[] = []
  let partial = ''
  let err = ''
  let onReady: () => void = () => {}
  const ready = new Promise<void>((resolve) => (onReady = resolve))
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n')
    partial = parts.pop()!
    for (const p of parts) {
      if (p === 'ready') onReady()
      else if (p.startsWith('ack ')) acks.push(Number(p.slice(4)))
    }
  })
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()))
  // Both the exit and the end of stdout: every line the child wrote has then been read.
  const exited = Promise.all([
    new Promise<void>((resolve) => child.on('exit', () => resolve())),
    new Promise<void>((resolve) => child.stdout!.on('close', () => resolve())),
  ]).then(() => onReady())
  return { child, acks, ready, exited, stderr: () => err }
}

/** Starts a writer, kills it `delay` ms after it opened, and returns the rounds it reported. */
async function killWriter(kind: 'level' | 'kysely', dir: string, first: number, delay: number): Promise<number[]> {
  const w = startWriter(kind, dir, first)
  await w.ready
  expect(w.child.exitCode, `the child died early: ${w.stderr()}`).to.equal(null)
  await new Promise((r) => setTimeout(r, delay))
  w.child.kill('SIGKILL')
  await w.exited
  expect(w.child.signalCode, w.stderr()).to.equal('SIGKILL')
  return w.acks
}

/** The rounds a Level database holds, each checked whole; throws on a round kept in part. */
async function levelRounds(dir: string): Promise<Set<number>> {
  const db = new BTreeLevel<string, string>(path.join(dir, 'level'))
  await db.open()
  const entries = new Map(await db.iterator().all())
  await db.close()
  const rounds = new Set<number>()
  for (const key of entries.keys()) {
    const m = /^(?:r|!s!)(\d+)-\d+$/.exec(key)
    expect(m, `an unexpected key ${key}`).to.not.equal(null)
    rounds.add(Number(m![1]))
  }
  let count = 0
  for (const n of rounds) {
    for (const [sub, key, value] of levelRound(n)) {
      const full = sub === '' ? key : `!${sub}!${key}`
      expect(entries.get(full), `round ${n}: ${full}`).to.equal(value)
      count++
    }
  }
  expect(entries.size, 'entries of no round').to.equal(count)
  return rounds
}

/** The rounds a Kysely database holds, each checked whole, with its index and counter. */
async function kyselyRounds(dir: string): Promise<Set<number>> {
  const db = openDialect(path.join(dir, 'kysely.db'))
  try {
    const tables = (await db.introspection.getTables()).map((t) => t.name)
    if (!tables.includes('rounds')) return new Set()
    const items = await db.selectFrom('items').selectAll().orderBy('id').execute()
    const rounds = new Set(items.map((r) => Math.floor(r.id / ROWS_PER_ROUND)))
    for (const n of rounds) {
      for (let j = 0; j < ROWS_PER_ROUND; j++) {
        const row = items.find((r) => r.id === n * ROWS_PER_ROUND + j)
        expect(row, `round ${n} row ${j}`).to.not.equal(undefined)
        // Round n + 1's transaction moved round n's first row to round n + 1.
        const want = j === 0 && rounds.has(n + 1) ? n + 1 : n
        expect(row!.round, `round ${n} row ${j}'s indexed value`).to.equal(want)
      }
    }
    expect(items.length, 'rows of no round').to.equal(rounds.size * ROWS_PER_ROUND)
    const counter = await db.selectFrom('rounds').select('count').where('id', '=', 1).executeTakeFirstOrThrow()
    expect(counter.count, 'the counter bumped by each round').to.equal(rounds.size)
    // The index answers as the scan does, for every value (read through items_round).
    for (const v of new Set(items.map((r) => r.round))) {
      const want = items.filter((r) => r.round === v).map((r) => r.id)
      const got = (await db.selectFrom('items').select('id').where('round', '=', v).orderBy('id').execute()).map(
        (r) => r.id,
      )
      expect(got, `index items_round at ${v}`).to.deep.equal(want)
    }
    return rounds
  } finally {
    await db.destroy()
  }
}

for (const kind of ['level', 'kysely'] as const) {
  describe(`SIGKILL of a process writing through ${kind === 'level' ? 'btree-level' : 'kysely-btree'}`, function () {
    this.timeout(180_000)
    const env = process.env['BINDINGS_SIGKILL_SEED']
    const seed = env !== undefined && env !== '' ? Number(env) >>> 0 : Math.floor(Math.random() * 2 ** 32)
    let dir: string

    before(() => {
      console.log(`      BINDINGS_SIGKILL_SEED=${seed}`)
      dir = fs.mkdtempSync(path.join(os.tmpdir(), `btree-bindings-kill-${kind}-`))
    })
    after(() => fs.rmSync(dir, { recursive: true, force: true }))

    it(`${ROUNDS} kills at 30-400 ms keep every reported round, each whole`, async () => {
      const random = prng(seed)
      const file = path.join(dir, kind === 'level' ? 'level/data.btree' : 'kysely.db')
      let first = 1
      let reported = 0
      let held = 0
      for (let round = 0; round < ROUNDS; round++) {
        const acks = await killWriter(kind, dir, first, 30 + Math.floor(random() * 370))
        const rounds = kind === 'level' ? await levelRounds(dir) : await kyselyRounds(dir)
        for (const n of acks) expect(rounds.has(n), `reported round ${n} (seed ${seed})`).to.equal(true)
        const engine = await open(file)
        const ck = engine.check()
        await engine.close()
        expect(ck.ok, ck.errors.map((e) => e.message).join('; ')).to.equal(true)
        reported += acks.length
        held = rounds.size
        first = Math.max(0, ...rounds) + 1
      }
      console.log(`      ${reported} rounds reported over ${ROUNDS} kills, ${held} held at the end`)
      // The kills came while rounds were being written, not before the first one.
      expect(reported, 'rounds reported over all kills').to.be.greaterThan(ROUNDS)
      expect(held).to.be.at.least(reported)
    })
  })
}
