import { expect } from 'chai'
import fs from 'node:fs'
import path from 'node:path'
import { open } from '../../src/index.js'
import { cli, tempDir } from './cli-harness.js'

describe('cli: the journal', () => {
  let dir: string
  beforeEach(() => (dir = tempDir()))
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('info shows the commits in the journal; dump reads them; check is clean', async () => {
    const file = path.join(dir, 'j.db')
    const db = await open(file)
    try {
      await db.update((tx) => tx.createBucket('a').put(Buffer.from('k'), Buffer.from('v')))
      await db.update((tx) => tx.bucket('a')!.put(Buffer.from('k2'), Buffer.from('v2')))
      // Read-only commands take no lock: they read the file and its journal while the writer is open.
      const info = cli(['info', file])
      expect(info.status, info.stderr).to.equal(0)
      expect(info.stdout).to.match(/journal:\s+2 commits, \d+ bytes since checkpoint txid \d+ \(.*j\.db-journal\)/)
      const doc = JSON.parse(cli(['info', file, '--json']).stdout)
      expect(doc.journal.records).to.equal(2)
      expect(doc.skipped).to.deep.equal([])
      const dump = cli(['dump', file, '--utf8'])
        .stdout.trim()
        .split('\n')
        .slice(1)
        .map((l) => JSON.parse(l))
      expect(dump).to.deep.include({ bucket: 'a', key: 'k2', value: 'v2' })
      expect(cli(['check', file]).status).to.equal(0)
    } finally {
      await db.close()
    }
    expect(JSON.parse(cli(['info', file, '--json']).stdout).journal.records).to.equal(0)
  })

  it('check prints a journal tail that fails its checksum as a warning; info lists it as skipped', async () => {
    const file = path.join(dir, 'torn.db')
    const db = await open(file)
    await db.update((tx) => tx.createBucket('a').put(Buffer.from('k'), Buffer.from('v')))
    await db.update((tx) => tx.bucket('a')!.put(Buffer.from('k2'), Buffer.alloc(100, 1)))
    // The process dies here (no close): the journal holds both commits. Then its tail is torn.
    const journal = fs.readFileSync(`${file}-journal`)
    // (The file runs on past the records: zeros allocated ahead, store/journal.ts.)
    fs.writeFileSync(`${file}-journal`, journal.subarray(0, db.info().journal!.bytes - 7))
    const r = cli(['check', file])
    expect(r.status, r.stdout + r.stderr).to.equal(0)
    expect(r.stdout).to.match(/^warning: journal: record at byte \d+ runs past the end of the journal/m)
    expect(cli(['info', file]).stdout).to.match(/skipped at open: journal: /)
    await db.close().catch(() => {})
  })
})
