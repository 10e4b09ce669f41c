import { expect } from 'chai'
import { spawnSync } from 'node:child_process'

/**
 * Numbers the engine reads back from bytes or typed arrays and stores into its objects come back
 * as small integers (V8's Smis) when they are: a double stored into a field that had held only
 * small integers changes the field's representation, V8 then deprecates the objects' maps and
 * throws away every function it optimized for them (a restored leaf's fields made every node's
 * field a double, and the tree code ~30 % slower for the rest of the process). `%IsSmi` needs
 * V8's natives syntax: the checks run in a child process that has it.
 */
describe('tree: numbers read back are small integers (no change of field representation)', () => {
  const run = (code: string): { status: number | null; out: string } => {
    const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', code], {
      encoding: 'utf8',
    })
    return { status: r.status, out: r.stdout + r.stderr }
  }
  const url = (path: string): string => new URL(path, import.meta.url).href

  it("LeafStates gives back a leaf's saved fields as small integers, large ones as they were", () => {
    const { status, out } = run(`
      import { LeafStates } from ${JSON.stringify(url('../../../src/tree/leaf-states.js'))}
      const s = new LeafStates()
      s.save('a', Buffer.alloc(64), 7, 4000, 12, 3, 3900, 16)
      s.save('b', Buffer.alloc(64), 2 ** 40, 100, 2 ** 32 + 5, 1, 90, 0)
      const small = [s.gen(0), s.size(0), s.orig(0), s.count(0), s.top(0), s.garbage(0)]
      if (!small.every((v) => %IsSmi(v))) throw new Error('not small integers: ' + small)
      if (s.gen(1) !== 2 ** 40 || s.orig(1) !== 2 ** 32 + 5 || %IsSmi(s.gen(1))) throw new Error('large values changed')
      console.log('ok')
    `)
    expect(out.trim(), out).to.equal('ok')
    expect(status).to.equal(0)
  })

  it('u64 reads a value below 2^32 as a small integer where it is one', () => {
    const { status, out } = run(`
      import { u64, setU64 } from ${JSON.stringify(url('../../../src/page/layout.js'))}
      const b = Buffer.alloc(8)
      for (const v of [0, 1, 123456, 2 ** 31 - 1]) {
        setU64(b, 0, v)
        const r = u64(b, 0)
        if (r !== v || !%IsSmi(r)) throw new Error('u64 of ' + v + ': ' + r)
      }
      for (const v of [2 ** 32, 2 ** 40 + 7, 2 ** 53 - 1]) {
        setU64(b, 0, v)
        if (u64(b, 0) !== v) throw new Error('u64 of ' + v)
      }
      console.log('ok')
    `)
    expect(out.trim(), out).to.equal('ok')
    expect(status).to.equal(0)
  })
  it('a rolled-back transaction over leaves edited in place, then a second database: no field of the engine turns from small integers to doubles', () => {
    // V8 traces each change of a field's representation; "s{...}->d{...}" is small integer to double.
    const index = JSON.stringify(url('../../../src/index.js'))
    const r = spawnSync(
      process.execPath,
      [
        '--trace-generalization',
        '--input-type=module',
        '-e',
        `
        import { open } from ${index}
        import fs from 'node:fs'
        import os from 'node:os'
        import path from 'node:path'
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btree-smi-'))
        const key = (i) => Buffer.from(String((i * 7919) % 5000).padStart(12, '0'))
        try {
          for (const name of ['one.db', 'two.db']) {
            const db = await open(path.join(dir, name), { durability: 'none' })
            for (let s = 0; s < 5000; s += 500)
              await db.update((tx) => { const b = tx.createBucketIfNotExists('b'); for (let i = s; i < s + 500; i++) b.put(key(i), Buffer.alloc(40, i)) })
            for (let round = 0; round < 20; round++) {
              const tx = await db.beginWrite()
              const b = tx.bucket('b')
              for (let i = 0; i < 300; i++) b.put(key(i * 13 + round), Buffer.alloc(40 + (i % 3), round))
              for (let i = 0; i < 100; i++) b.delete(key(i * 17 + round))
              if (round % 2 === 0) tx.rollback()
              else await tx.commit()
            }
            await db.close()
          }
        } finally {
          fs.rmSync(dir, { recursive: true, force: true })
        }
        console.log('done')
      `,
      ],
      { encoding: 'utf8' },
    )
    expect(r.stdout, r.stderr).to.contain('done')
    const doubled = r.stdout
      .split('\n')
      .filter(
        (line) =>
          line.startsWith('[generalizing]') && line.includes('/engine/dist/src/') && /:s\{[^}]*\}->d\{/.test(line),
      )
    expect(doubled, doubled.join('\n')).to.deep.equal([])
  })
})
