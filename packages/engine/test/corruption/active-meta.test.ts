import { expect } from 'chai'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { open } from '../../src/index.js'
import { decodeMeta, encodeMeta } from '../../src/page/meta-page.js'

describe('check(): the active meta on disk', () => {
  it('reports an active slot that holds a valid meta other than the open state (a stale image put back)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btree-active-meta-'))
    const file = path.join(dir, 'm.db')
    try {
      const db = await open(file, { pageSize: 1024 })
      await db.update((tx) => tx.createBucket('a').put(Buffer.from('k'), Buffer.from('1')))
      await db.update((tx) => tx.bucket('a')!.put(Buffer.from('k'), Buffer.from('2')))
      expect(db.check().ok).to.equal(true)
      const active = db.info().activeMeta
      const other = active === 0 ? 1 : 0
      // The other slot's (older) meta, re-encoded for the active slot: valid, but not this state.
      const bytes = fs.readFileSync(file)
      const older = decodeMeta(bytes.subarray(other * 1024, (other + 1) * 1024), other)
      if (typeof older === 'string') throw new Error(older)
      const fd = fs.openSync(file, 'r+')
      fs.writeSync(fd, encodeMeta(older, active), 0, 1024, active * 1024)
      fs.closeSync(fd)
      const result = db.check()
      expect(result.ok).to.equal(false)
      expect(result.errors.map((e) => e.pageId)).to.include(active)
      await db.close()
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
