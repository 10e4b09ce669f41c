import { expect } from 'chai'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { keptShapeNames } from '../../src/base/shapes.js'
import { runModule } from '../unit/io/node-module.js'
import { expectCheck, useTempDir } from './helpers.js'

/**
 * base/shapes.ts: once a database is closed and collected, the code V8 optimized for the engine's
 * classes must survive for the next database. V8 traces each function it throws away because an
 * object its code held weakly (a map, a closure) was collected: "marking dependent code ... reason:
 * weak objects". The child process warms the write, read and group-commit paths on one database,
 * closes it, collects four times (maps outlive two), and the trace of those collections must name
 * no function of the engine's. Without the kept shapes this run names a few (update, #pump,
 * buildSearchIndex, get pager), and the bench's 64-in-flight commits, collected the same way before
 * each run, lost 44 (treePut, #runGroup, put, save ...). An open database keeps them too
 * (Database.#noteTransaction): without that, collections between two bursts of work threw away
 * the write path's and the cursors' code. The trace names a function but not its
 * file: the engine's are the names its modules define (Node's own, such as its URL class's, may go
 * as they will).
 */
describe('shapes: collections leave the optimized code alone (after a database is closed, and between bursts of work on an open one)', () => {
  const t = useTempDir()

  it('no function is deoptimized for a collected map or closure after a database is closed', () => {
    const { thrown, collections } = deoptimizedByCollections(`
        async function burst(db, from) {
          let next = from
          const worker = async () => { while (next < from + 4000) { const i = next++; await db.update((tx) => tx.createBucketIfNotExists('b').put(key(i), value)) } }
          await Promise.all(Array.from({ length: 64 }, worker))
          await db.update((tx) => { const b = tx.bucket('b'); for (let i = 0; i < 2000; i++) b.put(key((i * 7919) % 4000), value) }, { durability: 'none' })
          const tx = await db.beginWrite()
          for (let i = 0; i < 500; i++) tx.bucket('b').delete(key(from + i))
          await tx.commit()
          db.view((r) => { const b = r.bucket('b'); let n = 0; for (let i = 0; i < 4000; i++) if (b.get(key(i)) !== undefined) n++; for (const _ of b.entries()) n++ })
        }
        try {
          let one = await open(path.join(dir, 'one.db'))
          for (let round = 0; round < 6; round++) await burst(one, round * 4000)
          await one.close()
          one = undefined
          console.log('COLLECT-START')
          for (let i = 0; i < 4; i++) gc()
          console.log('COLLECT-END')
          const two = await open(path.join(dir, 'two.db'))
          await burst(two, 0)
          await two.close()
        } finally {
          fs.rmSync(dir, { recursive: true, force: true })
        }
        `)
    expect(collections, 'markers').to.equal(1)
    expect(thrown, 'engine functions deoptimized by the collections').to.deep.equal([])
  })

  it('no function is deoptimized for a collected map or closure between two bursts of work on an open database', () => {
    // Database.#noteTransaction: the database keeps instances of its transactions' classes while
    // it is open. Without them, the collections between the bursts threw away the write path's
    // and the cursors' code (put, treeAppend, assertWritable, next, #push ...). A cursor's source
    // is a class (bucket/read-bucket.ts:FixedTreeSource, write-bucket.ts:WriteTreeSource): as an
    // object of closures per cursor, next could embed the one scan's closures, and lost its code
    // once they were collected (3 runs in 20 of this test, when the sets' put used Buffers).
    const { thrown, collections } = deoptimizedByCollections(`
        try {
          const db = await open(path.join(dir, 'open.db'), { durability: 'none' })
          let next = 0
          for (let burst = 0; burst < 4; burst++) {
            for (let b = 0; b < 20; b++) await db.update((tx) => { const t = tx.createBucketIfNotExists('b'); for (let i = 0; i < 1000; i++) t.put(key(next++), value) })
            db.view((r) => { const c = r.bucket('b').cursor(); let n = 0; for (let e = c.first(); e; e = c.next()) n++ })
            await db.update((tx) => { const c = tx.bucket('b').cursor(); let n = 0; for (let e = c.first(); e; e = c.next()) n++ })
            console.log('COLLECT-START')
            for (let i = 0; i < 4; i++) gc()
            console.log('COLLECT-END')
          }
          await db.close()
        } finally {
          fs.rmSync(dir, { recursive: true, force: true })
        }
        `)
    expect(collections, 'markers').to.equal(4)
    expect(thrown, 'engine functions deoptimized by the collections').to.deep.equal([])
  })

  for (const kind of ['read', 'write'] as const) {
    it(`a ${kind} cursor's optimized next outlives the cursor that warmed it (its source is a class, not closures)`, () => {
      // One cursor scans until V8 optimizes TreeCursor#next, then goes. With the cursor's source an
      // object of closures made per cursor, next embedded that cursor's closures (its call sites
      // had met no other) and lost its code once they were collected, every time.
      const index = JSON.stringify(new URL('../../src/index.js', import.meta.url).href)
      const r = runModule(
        ['--allow-natives-syntax', '--expose-gc', '--no-concurrent-recompilation'],
        `
          import { open } from ${index}
          import fs from 'node:fs'
          import os from 'node:os'
          import path from 'node:path'
          const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btree-cursor-'))
          function scan(db) {
            const tx = ${kind === 'read' ? 'db.begin()' : 'db.tryBegin()'}
            const c = tx.bucket('b').cursor()
            const next = Object.getPrototypeOf(c).next;
            %PrepareFunctionForOptimization(next);
            for (let ok = c.first(); ok; ok = c.next());
            for (let ok = c.first(); ok; ok = c.next());
            %OptimizeFunctionOnNextCall(next);
            for (let ok = c.first(); ok; ok = c.next());
            const status = %GetOptimizationStatus(next);
            ${kind === 'read' ? 'tx.close()' : 'tx.rollback()'}
            return [next, status]
          }
          try {
            const db = await open(path.join(dir, 'c.db'), { durability: 'none' })
            await db.update((tx) => { const b = tx.createBucket('b'); for (let i = 0; i < 2000; i++) b.put(Buffer.from(String(i).padStart(8, '0')), Buffer.alloc(20)) })
            const [next, before] = scan(db)
            for (let i = 0; i < 4; i++) { await new Promise((resolve) => setImmediate(resolve)); gc() }
            const after = %GetOptimizationStatus(next);
            // Bit 6: TurboFan's code.
            console.log(JSON.stringify({ before: (before & 64) !== 0, after: (after & 64) !== 0 }))
            await db.close()
          } finally {
            fs.rmSync(dir, { recursive: true, force: true })
          }
        `,
      )
      expect(r.status, r.stderr).to.equal(0)
      const line = r.stdout.split('\n').find((l) => l.startsWith('{'))
      expect(JSON.parse(line ?? '{}')).to.deep.equal({ before: true, after: true })
    })
  }

  it('each module with such a class keeps its instances, and a closed database is kept', async () => {
    const db = await t.open()
    await db.update((tx) => tx.createBucketIfNotExists('b').put(Buffer.from('k'), Buffer.from('v')))
    expectCheck(db)
    await db.close()
    expect(keptShapeNames()).to.include.members([
      'tree/node',
      'tree/leaf-states',
      'tree/tree-context',
      'page/journal-record',
      'page/search-index',
      'store/page-cache',
      'tx/early-pages',
      'tx/writer-queue',
      'db/database',
    ])
  })
})

/**
 * Runs `script` (after the imports and helpers it shares: `open`, `fs`, `os`, `path`, a temporary
 * `dir`, `key(i)` and `value`) in a child process under `--trace-deopt`, and lists the engine's
 * functions that V8 threw away for a collected map or closure ("reason: weak objects") between a
 * line COLLECT-START and the next COLLECT-END; `collections` counts those pairs.
 */
function deoptimizedByCollections(script: string): { thrown: string[]; collections: number } {
  const index = JSON.stringify(new URL('../../src/index.js', import.meta.url).href)
  const r = runModule(
    ['--expose-gc', '--trace-deopt'],
    `
      import { open } from ${index}
      import fs from 'node:fs'
      import os from 'node:os'
      import path from 'node:path'
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btree-shapes-'))
      const key = (i) => Buffer.from(String(i).padStart(10, '0'))
      const value = Buffer.alloc(60, 7)
      ${script}
    `,
  )
  expect(r.status, r.stderr).to.equal(0)
  const ours = engineFunctionNames()
  expect(ours.size, 'names found in the engine').to.be.greaterThan(500)
  const thrown: string[] = []
  let collections = 0
  let inside = false
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('COLLECT-START')) inside = true
    else if (line.startsWith('COLLECT-END')) {
      inside = false
      collections++
    } else if (inside && line.includes('reason: weak objects')) {
      const name = /SharedFunctionInfo ([^>]*)>/.exec(line)?.[1] ?? line
      if (ours.has(name)) thrown.push(name)
    }
  }
  return { thrown, collections }
}

/** The names V8 gives the engine's functions (`treePut`, `#runGroup`, `get pageSize`, `Node`), from its compiled modules. */
function engineFunctionNames(): Set<string> {
  const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src')
  const names = new Set<string>()
  for (const file of fs.readdirSync(src, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.js')) continue
    const text = fs.readFileSync(path.join(src, file), 'utf8')
    for (const m of text.matchAll(/(?:function|class)\s+([\w$]+)/g)) names.add(m[1]!)
    for (const m of text.matchAll(/^\s+(?:static\s+)?(?:async\s+)?(?:(get|set)\s+)?(#?[\w$]+)\s*\(/gm)) {
      if (['if', 'for', 'while', 'switch', 'catch', 'return'].includes(m[2]!)) continue
      names.add(m[1] === undefined ? m[2]! : `${m[1]} ${m[2]!}`)
    }
  }
  return names
}
