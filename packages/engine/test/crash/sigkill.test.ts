import { expect } from 'chai'
import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { open } from '../../src/index.js'
import { Prng } from '../../src/io/prng.js'
import { JOURNAL_MAGIC } from '../../src/page/journal-record.js'
import { childValue, seqKey } from './child-data.js'
import { suiteSeed } from './harness.js'

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'child-writer.js')
const ROUNDS = Number(process.env['SIGKILL_ROUNDS'] ?? 20)

/** Starts the writer child; `lines` collects what it printed, `ready` resolves once it opened. */
function startWriter(
  dbPath: string,
  journalStream: number,
): {
  child: ChildProcess
  lines: string[]
  ready: Promise<void>
  exited: Promise<void>
  stderr: () => string
} {
  const child = spawn(process.execPath, [CHILD, 'write', dbPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CHILD_JOURNAL_STREAM: String(journalStream) },
  })
  const lines: string[] = []
  let partial = ''
  let err = ''
  let onReady: () => void = () => {}
  const ready = new Promise<void>((resolve) => (onReady = resolve))
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n')
    partial = parts.pop()!
    for (const p of parts) {
      if (p === 'ready') onReady()
      else lines.push(p)
    }
  })
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()))
  // Both the exit and the end of stdout: every line the child wrote has then been read.
  const exited = Promise.all([
    new Promise<void>((resolve) => child.on('exit', () => resolve())),
    new Promise<void>((resolve) => child.stdout!.on('close', () => resolve())),
  ]).then(() => {
    onReady()
  })
  return { child, lines, ready, exited, stderr: () => err }
}

/**
 * Real processes, a real file, real fdatasync: a child commits in a loop and is SIGKILLed at a
 * random moment. Every commit it reported as resolved must be in the file when it is reopened (the
 * dead child's lock file still lying there), and check() must pass.
 */
describe('SIGKILL of a writing process', function () {
  this.timeout(180_000)
  const seed = suiteSeed('SIGKILL')
  let dir: string

  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btree-sigkill-'))))
  after(() => fs.rmSync(dir, { recursive: true, force: true }))

  it(`${ROUNDS} rounds of kill -9 at 20-300 ms keep every reported commit`, async () => {
    const prng = new Prng(seed)
    const dbPath = path.join(dir, 'kill.db')
    let reported = 0
    let maxSeq = 0
    // Rounds whose reported commits lived only in the journal when the child died (the child
    // commits through the journal, the default; its checkpoints come at open and at close only).
    let journalOnly = 0
    for (let round = 0; round < ROUNDS; round++) {
      // Odd rounds stream each record ahead of its commit in steps of 32 bytes (FORMAT.md §11).
      const w = startWriter(dbPath, round % 2 === 1 ? 32 : 0)
      await w.ready
      expect(w.child.exitCode, `the child died early: ${w.stderr()}`).to.equal(null)
      await new Promise((r) => setTimeout(r, prng.range(20, 300)))
      w.child.kill('SIGKILL')
      await w.exited
      expect(w.child.signalCode, w.stderr()).to.equal('SIGKILL')
      const seqs = w.lines.map(Number)
      expect(
        seqs.every((n) => Number.isInteger(n) && n > maxSeq),
        `unexpected output ${w.lines.slice(0, 5).join(',')}`,
      ).to.equal(true)
      if (seqs.length > 0) maxSeq = seqs[seqs.length - 1]!
      reported += seqs.length
      // The killed writer could not remove its lock file; open must see that its owner is dead.
      expect(fs.existsSync(`${dbPath}-lock`)).to.equal(true)
      // A record at the journal's start (its magic at byte 8): the file itself stays allocated.
      if (seqs.length > 0 && journalHoldsRecords(`${dbPath}-journal`)) journalOnly++

      const db = await open(dbPath)
      try {
        db.view((tx) => {
          const log = tx.bucket('log')
          for (let n = 1; n <= maxSeq; n++) {
            const v = log?.get(seqKey(n))
            expect(v, `round ${round}: reported commit ${n} is missing`).to.not.equal(undefined)
            expect(Buffer.compare(v!, childValue(n)), `round ${round}: commit ${n} has a wrong value`).to.equal(0)
          }
          // Keys 1..last, nothing torn out of the middle, and at most the commit in flight past
          // what was reported.
          const c = log?.cursor()
          const last = c !== undefined && c.last() ? Buffer.from(c.key!).readUInt32BE(0) : 0
          expect(last).to.be.within(maxSeq, maxSeq + 1)
          expect(log === undefined ? 0 : log.size).to.equal(last)
          maxSeq = last
        })
        const ck = db.check()
        expect(ck.ok, JSON.stringify(ck.errors.slice(0, 5))).to.equal(true)
      } finally {
        await db.close()
      }
    }
    console.log(
      `      SIGKILL rounds: ${ROUNDS}, commits reported by the children: ${reported}; rounds with commits only in the journal: ${journalOnly}`,
    )
    expect(reported).to.be.greaterThan(0)
    expect(journalOnly).to.be.greaterThan(0)
  })
})

function journalHoldsRecords(path: string): boolean {
  const head = fs.readFileSync(path).subarray(0, 12)
  return head.length === 12 && head.readUInt32LE(8) === JOURNAL_MAGIC
}
