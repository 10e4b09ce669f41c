import { expect } from 'chai'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const repoRoot = path.resolve(here, '../../../../..')

describe('cli: the installed btree-store command', () => {
  it('npm links `btree-store` into node_modules/.bin and it runs (what `npx btree-store` starts)', () => {
    const bin = path.join(repoRoot, 'node_modules', '.bin', 'btree-store')
    expect(fs.existsSync(bin), `${bin} exists`).to.equal(true)
    const r = spawnSync(bin, ['--help'], { encoding: 'utf8' })
    expect(r.status).to.equal(0)
    expect(r.stdout).to.match(/^Usage: btree-store <command>/)
  })
})
