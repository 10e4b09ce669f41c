import { expect } from 'chai'
import { Prng } from '../../src/io/prng.js'
import { useTempDir } from './helpers.js'

/**
 * Gets, has and seeks over trees of pages whose keys take every shape the searches special-case:
 * zero-padded counters (long shared prefixes, ties past a short window), keys that differ only in
 * trailing zero bytes, binary keys, the empty key, and keys stored out of line with stems shorter
 * and longer than their inline prefix. Each runs at three page sizes, after a checkpoint (pages
 * searched in the cache) and after a reopen (pages read from the file), against a sorted model.
 */
const SEED = Number(process.env.SEED ?? 31)

const SHAPES: Record<string, (rng: Prng, i: number) => Buffer> = {
  counters: (_rng, i) => Buffer.from(String(i * 7).padStart(16, '0')),
  'trailing zeros': (rng) =>
    Buffer.concat([Buffer.from(rng.pick(['', 'a', 'ab', 'abcdefgh'])), Buffer.alloc(rng.range(0, 9))]),
  binary: (rng) => Buffer.from(rng.bytes(rng.range(0, 10)).map((b) => (b < 50 ? 0 : b > 200 ? 0xff : b))),
  'out of line': (rng) => {
    const stem = rng.pick([0, 30, 70, 500])
    const k = Buffer.alloc(stem + 4 + rng.range(0, rng.bool(0.5) ? 20 : 1500), 'k')
    k.writeUInt32BE(rng.int(2 ** 32), stem)
    return k
  },
}

describe(`integration: gets and seeks over every key shape (seed ${SEED})`, () => {
  const { open } = useTempDir()
  for (const pageSize of [1024, 4096, 16384]) {
    for (const [shape, make] of Object.entries(SHAPES)) {
      it(`${shape}, page size ${pageSize}`, async () => {
        const rng = new Prng(SEED + pageSize)
        const all = new Map<string, Buffer>()
        const count = shape === 'out of line' ? 400 : 3000
        for (let i = 0; i < count * 2; i++) {
          const k = make(rng, i)
          all.set(k.toString('hex'), k)
        }
        const keys = [...all.values()]
        const present = new Set(keys.filter(() => rng.bool(0.5)).map((k) => k.toString('hex')))
        const stored = keys.filter((k) => present.has(k.toString('hex'))).sort(Buffer.compare)
        let db = await open({ pageSize }, `shapes-${pageSize}.db`)
        await db.update((tx) => {
          const b = tx.createBucket('s')
          for (const k of rng.shuffle(stored.slice())) b.put(k, k.subarray(0, 8))
        })
        await db.checkpoint()
        for (const pass of ['cached', 'reopened']) {
          db.view((tx) => {
            const b = tx.bucket('s')!
            for (const k of keys) {
              const want = present.has(k.toString('hex')) ? k.subarray(0, 8) : undefined
              const at = `${pass} ${k.toString('hex')}`
              expect(b.get(k), `get ${at}`).to.deep.equal(want)
              expect(b.has(k), `has ${at}`).to.equal(want !== undefined)
            }
            // A seek lands on the first stored key >= the probe.
            for (let i = 0; i < 200; i++) {
              const probe = rng.pick(keys)
              const first = stored.find((k) => Buffer.compare(k, probe) >= 0)
              const got = b.entries({ gte: probe }).next()
              expect(got.done ? undefined : got.value[0], `seek ${pass} ${probe.toString('hex')}`).to.deep.equal(first)
            }
          })
          expect(db.check().ok).to.equal(true)
          if (pass === 'cached') {
            await db.close()
            db = await open({ pageSize }, `shapes-${pageSize}.db`)
          }
        }
      })
    }
  }
})
