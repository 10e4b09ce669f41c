import { expect } from 'chai'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { open } from '../../src/index.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const engineRoot = path.resolve(here, '../../..')
const readme = path.resolve(engineRoot, 'README.md')

/** The Rust crate's basic example, as the README shows it, between its markers. */
function example(): string {
  const text = fs.readFileSync(readme, 'utf8')
  const block = /<!-- rust-example:start -->\s*```ts\n([\s\S]*?)```\s*<!-- rust-example:end -->/.exec(text)
  if (block === null) throw new Error('README.md has no rust-example block')
  return block[1]!
}

describe('README: the Rust crate basic example', () => {
  it('runs exactly as written and leaves a committed database behind', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'btree-readme-'))
    // The script sits inside the package so that `import 'btree-store'` resolves through the
    // workspace link, and runs in a temp directory where it creates data.db.
    const script = path.join(engineRoot, `.readme-example-${process.pid}.mjs`)
    fs.writeFileSync(script, example())
    try {
      const r = spawnSync(process.execPath, [script], { cwd, encoding: 'utf8' })
      expect(r.stderr).to.equal('')
      expect(r.status).to.equal(0)
      expect(r.stdout).to.equal('Found user: Alice\nKey: id:100, Value: Alice\n')
      const db = await open(path.join(cwd, 'data.db'))
      expect(db.view((tx) => Buffer.from(tx.bucket('users')!.get(Buffer.from('id:100'))!).toString())).to.equal('Alice')
      expect(db.check().ok).to.equal(true)
      await db.close()
    } finally {
      fs.rmSync(script, { force: true })
      fs.rmSync(cwd, { recursive: true, force: true })
    }
  })
})
