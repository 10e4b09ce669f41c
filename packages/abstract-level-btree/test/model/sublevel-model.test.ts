import { expect } from 'chai'
import type { AbstractLevel } from 'abstract-level'
import { MemoryLevel } from 'memory-level'
import { BTreeLevel } from '../../src/index.js'
import { expectCheckOk, prng, useLocations } from '../helpers.js'

type Db = AbstractLevel<string | Buffer | Uint8Array, string, string>

/** The same tree of sublevels on a database: root, a, a/b, c (made midway), and d under c. */
function tree(root: Db, withC: boolean): Db[] {
  const a = root.sublevel('a')
  const dbs = [root, a, a.sublevel('b')] as Db[]
  if (withC) {
    const c = root.sublevel('c')
    dbs.push(c as Db, c.sublevel('d') as Db)
  }
  return dbs
}

/**
 * Seeded random operations through the root and sublevels of a BTreeLevel and of memory-level (the
 * model): puts, deletes, batches across sublevels, clears of ranges, keys that look like prefixes,
 * writes under a prefix before its sublevel exists, reopens. After each step, reads of random
 * ranges (reverse, limits, seeks) must agree.
 */
describe('btree-level: sublevel routing against memory-level (seeded)', () => {
  const { location, track } = useLocations()
  const ALPHABET = ['!', 'a', 'b', 'c', 'd', '"', 'z']

  // BTREE_LEVEL_SEED=<n> runs that seed (a fresh one: BTREE_LEVEL_SEED=random) after the fixed ones.
  const extra = process.env['BTREE_LEVEL_SEED']
  const seeds = [1, 2, 3, 4]
  if (extra !== undefined) seeds.push(extra === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(extra))
  for (const seed of seeds) {
    it(`agrees with memory-level over 250 random steps (seed ${seed})`, async function () {
      this.timeout(120_000)
      console.log(`      seed ${seed}`)
      const random = prng(seed)
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!
      const key = (): string => {
        const n = Math.floor(random() * 5)
        let s = ''
        for (let i = 0; i < n; i++) s += pick(ALPHABET)
        return s
      }
      let btree = track(new BTreeLevel(location())) as unknown as Db
      const memory = new MemoryLevel() as unknown as Db
      let withC = false
      let ours = tree(btree, withC)
      let theirs = tree(memory, withC)

      for (let step = 0; step < 250; step++) {
        const i = Math.floor(random() * ours.length)
        const r = random()
        if (r < 0.35) {
          const k = key()
          const v = `v${step}`
          await Promise.all([ours[i]!.put(k, v), theirs[i]!.put(k, v)])
        } else if (r < 0.5) {
          const k = key()
          await Promise.all([ours[i]!.del(k), theirs[i]!.del(k)])
        } else if (r < 0.7) {
          const ops = Array.from({ length: 1 + Math.floor(random() * 6) }, () => ({
            j: Math.floor(random() * ours.length),
            k: key(),
            put: random() < 0.7,
          }))
          const batch = (dbs: Db[]): Promise<void> =>
            dbs[i]!.batch(
              ops.map((o) =>
                o.put
                  ? { type: 'put' as const, sublevel: dbs[o.j] as never, key: o.k, value: `b${step}` }
                  : { type: 'del' as const, sublevel: dbs[o.j] as never, key: o.k },
              ),
            )
          await Promise.all([batch(ours), batch(theirs)])
        } else if (r < 0.78) {
          const range = randomRange()
          await Promise.all([ours[i]!.clear(range), theirs[i]!.clear(range)])
        } else if (r < 0.8 && !withC) {
          withC = true
          ours = tree(btree, withC)
          theirs = tree(memory, withC)
        } else if (r < 0.82) {
          await btree.close()
          btree = track(new BTreeLevel(location())) as unknown as Db
          await btree.open()
          ours = tree(btree, withC)
        } else {
          const k = key()
          await Promise.all([ours[i]!.put(`!c!${k}`, `early${step}`), theirs[i]!.put(`!c!${k}`, `early${step}`)])
        }
        for (let q = 0; q < 3; q++) {
          const j = Math.floor(random() * ours.length)
          const options = {
            ...randomRange(),
            reverse: random() < 0.5,
            limit: random() < 0.3 ? Math.floor(random() * 4) : -1,
          }
          const what = `step ${step}, db ${j}, ${JSON.stringify(options)}`
          expect(await ours[j]!.iterator(options).all(), what).to.deep.equal(await theirs[j]!.iterator(options).all())
          const target = key()
          const a = ours[j]!.keys(options)
          const b = theirs[j]!.keys(options)
          a.seek(target)
          b.seek(target)
          expect(await a.all(), `${what}, seek ${target}`).to.deep.equal(await b.all())
          const keys = [key(), key(), key()]
          expect(await ours[j]!.getMany(keys)).to.deep.equal(await theirs[j]!.getMany(keys))
        }
      }
      expect(await ours[0]!.iterator().all()).to.deep.equal(await theirs[0]!.iterator().all())
      expectCheckOk(btree as unknown as BTreeLevel)

      function randomRange(): Record<string, string> {
        const range: Record<string, string> = {}
        if (random() < 0.5) range[random() < 0.5 ? 'gt' : 'gte'] = key()
        if (random() < 0.5) range[random() < 0.5 ? 'lt' : 'lte'] = key()
        return range
      }
    })
  }
})
