/**
 * Cross-package: the engine, a Level database and a Kysely database share one file, each in
 * buckets of its own, and the demo (`npm run demo`) runs end to end.
 */
import { expect } from 'chai'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Kysely } from 'kysely'
import { open } from 'btree-store'
import { BTreeLevel } from 'btree-level'
import { BTreeDialect } from 'kysely-btree'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

interface DB {
  note: { id: number | null; body: string }
}

describe('one file, three packages', () => {
  let dir: string
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btree-one-file-'))
  })
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('raw buckets, Level data and Kysely tables live side by side, survive reopen and pass check()', async () => {
    const file = path.join(dir, 'shared.db')
    let engine = await open(file)
    await engine.update((tx) => tx.createBucket('raw').put(Buffer.from('k'), Buffer.from('v')))
    const level = new BTreeLevel(dir, { database: engine })
    await level.open()
    await level.sublevel('s').put('a', '1')
    await level.put('b', '2')
    const kysely = new Kysely<DB>({ dialect: new BTreeDialect({ database: engine }) })
    await kysely.schema
      .createTable('note')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('body', 'text')
      .execute()
    await kysely
      .insertInto('note')
      .values([{ body: 'x' }, { body: 'y' }])
      .execute()
    await kysely.destroy()
    await level.close()
    // The bindings leave a database they were given open.
    expect(engine.view((tx) => tx.bucket('raw')!.get(Buffer.from('k')))).to.deep.equal(Buffer.from('v'))
    await engine.close()

    engine = await open(file)
    expect(engine.check().ok).to.equal(true)
    const level2 = new BTreeLevel(dir, { database: engine })
    await level2.open()
    expect(await level2.keys().all()).to.deep.equal(['!s!a', 'b'])
    expect(await level2.sublevel('s').get('a')).to.equal('1')
    await level2.close()
    const kysely2 = new Kysely<DB>({ dialect: new BTreeDialect({ database: engine }) })
    expect(await kysely2.selectFrom('note').select(['id', 'body']).orderBy('id').execute()).to.deep.equal([
      { id: 1, body: 'x' },
      { id: 2, body: 'y' },
    ])
    await kysely2.destroy()
    expect(engine.view((tx) => tx.bucket('raw')!.get(Buffer.from('k')))).to.deep.equal(Buffer.from('v'))
    expect(engine.check().ok).to.equal(true)
    await engine.close()
  })

  it('npm run demo runs end to end and its check() passes', () => {
    const run = spawnSync(process.execPath, [path.join(root, 'demo/dist/demo.js')], { encoding: 'utf8' })
    expect(run.status, run.stderr).to.equal(0)
    expect(run.stdout).to.match(/check\(\): ok/)
    expect(run.stdout).to.match(/adults: \[\{"id":1,"name":"Ann","age":36\},\{"id":2,"name":"Ben","age":18\}\]/)
    expect(run.stdout).to.match(/a pet of owner 99: BTREE_SQL_FOREIGN_KEY_VIOLATION; after Cy's delete, pets: Rex\n/)
    expect(run.stdout).to.match(/the trigger logged: Rex -> Rexy\n/)
  })
})
