import { expect } from 'chai'
import { open } from '../../src/db/database.js'
import { type CrashImageOptions, PowerLossFileSystem } from '../doubles/power-loss-file.js'
import { Prng } from '../../src/io/prng.js'
import { suiteSeed } from './harness.js'

const PATH = '/create/db'

/**
 * A power loss while open() creates a new file, before its promise resolves. Nothing was
 * promised yet, so the file may be refused afterwards (a coded BTREE_NOT_A_DATABASE or
 * BTREE_CORRUPTION: delete it and create again); what must never happen is a database that opens
 * and then fails check() or every write.
 *
 * Regression: creation wrote both metas and the catalog page in one write before its one sync, so
 * a power loss could keep a valid meta and lose the catalog page; the file then opened, check()
 * failed on page 2 and every commit failed with BTREE_CORRUPTION. The catalog is now synced
 * before the metas are written.
 */
describe('power loss while creating the database', function () {
  this.timeout(60_000)
  const seed = suiteSeed('create')

  it('every write and sync of the creation, drop-all, keep-all and 50 random images each', async () => {
    const probe = new PowerLossFileSystem()
    await (await open(PATH, { fileSystem: probe, lock: false, pageSize: 1024 })).close()
    const ops = probe.file(PATH).counts.write + probe.file(PATH).counts.sync
    const prng = new Prng(seed)
    const outcomes: Record<string, number> = {}
    const failures: string[] = []
    for (let k = 1; k <= ops; k++) {
      const images: CrashImageOptions[] = [{ mode: 'drop-all' }, { mode: 'keep-all' }]
      for (let i = 0; i < 50; i++)
        images.push({
          mode: 'random',
          seed: prng.int(2 ** 32),
          keepProbability: prng.next(),
          tearProbability: prng.next(),
        })
      for (const image of images) {
        const fs = new PowerLossFileSystem({ onCreate: (f, path) => path === PATH && f.crashAt('any', k) })
        let created = false
        try {
          await (await open(PATH, { fileSystem: fs, lock: false, pageSize: 1024 })).close()
          created = true
        } catch (err) {
          expect((err as { code?: unknown }).code).to.equal('BTREE_IO')
        }
        expect(created, `open resolved although op ${k} crashed`).to.equal(false)
        fs.reopenAfterCrash(PATH, image)
        let outcome: string
        try {
          const db = await open(PATH, { fileSystem: fs, lock: false, pageSize: 1024 })
          try {
            const ck = db.check()
            if (!ck.ok)
              failures.push(`op ${k} ${JSON.stringify(image)}: opened but check failed: ${ck.errors[0]?.message}`)
            expect(db.view((tx) => tx.buckets())).to.deep.equal([])
            await db.update((tx) => tx.createBucket('b').put(Buffer.from('k'), Buffer.from('v')))
            if (!db.check().ok) failures.push(`op ${k} ${JSON.stringify(image)}: check failed after a commit`)
            outcome = 'opened empty'
          } finally {
            await db.close()
          }
        } catch (err) {
          const code = String((err as { code?: unknown }).code)
          if (code !== 'BTREE_NOT_A_DATABASE' && code !== 'BTREE_CORRUPTION')
            failures.push(`op ${k} ${JSON.stringify(image)}: ${code} ${(err as Error).message}`)
          outcome = `refused ${code}`
        }
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1
      }
    }
    console.log(`        creation: ${ops} crash points; ${JSON.stringify(outcomes)}`)
    expect(failures, failures.slice(0, 5).join('\n')).to.deep.equal([])
  })
})
