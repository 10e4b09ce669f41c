import { expect } from 'chai'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { open } from '../../src/index.js'

/** The compiled binary: dist/test/cli/ -> dist/src/cli/main.js. */
export const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js')

export interface CliRun {
  status: number
  stdout: string
  stderr: string
}

/** Runs the real binary as a child process, with `input` on stdin. */
export function cli(args: string[], input?: string | Buffer): CliRun {
  const r = spawnSync(process.execPath, [MAIN, ...args], { input, maxBuffer: 256 * 1024 * 1024 })
  if (r.error !== undefined) throw r.error
  return { status: r.status ?? -1, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') }
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'btree-cli-'))
}

export type Contents = Record<string, Array<[string, string]>>

/** A database with a text bucket, a binary one with an overflow value, and an empty one. */
export async function makeSample(file: string): Promise<void> {
  const db = await open(file, { journal: false })
  await db.update((tx) => {
    const users = tx.createBucket('users')
    for (let i = 0; i < 500; i++) users.put(Buffer.from(`user${String(i).padStart(4, '0')}`), Buffer.from(`name ${i}`))
    const bin = tx.createBucket('bin')
    bin.put(Buffer.from([0, 1, 2]), Buffer.from([255, 254, 0, 10]))
    bin.put(Buffer.from('big'), Buffer.alloc(20_000, 7))
    bin.put(Buffer.from('nl\n'), Buffer.from('\u00e9t\u00e9'))
    tx.createBucket('empty')
  })
  expect((await checkAndClose(db)).ok).to.equal(true)
}

/** Every bucket's entries, as hex pairs, read through the engine. */
export async function contents(file: string): Promise<Contents> {
  const db = await open(file, { readOnly: true })
  try {
    const check = db.check()
    if (!check.ok) console.log(check.errors)
    expect(check.ok).to.equal(true)
    return db.view((tx) => {
      const all: Contents = {}
      for (const name of tx.buckets()) {
        all[name] = [...tx.bucket(name)!.entries()].map(([k, v]) => [
          Buffer.from(k).toString('hex'),
          Buffer.from(v).toString('hex'),
        ])
      }
      return all
    })
  } finally {
    await db.close()
  }
}

export async function checkAndClose(db: {
  check(): { ok: boolean; errors: unknown[] }
  close(): Promise<void>
}): Promise<{ ok: boolean }> {
  const r = db.check()
  if (!r.ok) console.log(r.errors)
  await db.close()
  return r
}

/** A failure is one line on stderr with the prefix and no stack trace. */
export function expectOneLineError(r: CliRun, status: number, pattern?: RegExp): void {
  expect(r.status, r.stderr).to.equal(status)
  expect(r.stderr).to.match(/^btree-store: [^\n]+\n$/)
  expect(r.stderr).not.to.match(/\n\s+at /)
  if (pattern !== undefined) expect(r.stderr).to.match(pattern)
}
