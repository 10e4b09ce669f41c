import { expect } from 'chai'
import { Prng } from '../../src/io/prng.js'
import type { RangeOptions } from '../../src/base/types.js'
import { b, expectCheck, numKey, str, thrown, useTempDir } from './helpers.js'

const hex = (u: Uint8Array | undefined): string | undefined =>
  u === undefined ? undefined : Buffer.from(u).toString('hex')

describe('integration: cursors and ranges', () => {
  const t = useTempDir()

  it('first/last/seek/next/prev at the boundaries, over many leaves', async () => {
    const db = await t.open({ pageSize: 1024 })
    const n = 2000
    await db.update((tx) => {
      const a = tx.createBucket('a')
      for (let i = 0; i < n; i++) a.put(numKey(i * 2), numKey(i))
    })
    db.view((tx) => {
      const c = tx.bucket('a')!.cursor()
      expect(c.valid).to.equal(false)
      expect(c.key).to.equal(undefined)
      expect(c.first()).to.equal(true)
      expect(str(c.key)).to.equal(numKey(0).toString())
      expect(c.prev()).to.equal(false)
      expect(c.valid).to.equal(false)
      expect(c.value).to.equal(undefined)
      expect(c.next()).to.equal(false)
      expect(c.last()).to.equal(true)
      expect(str(c.key)).to.equal(numKey((n - 1) * 2).toString())
      expect(str(c.value)).to.equal(numKey(n - 1).toString())
      expect(c.next()).to.equal(false)
      expect(c.prev()).to.equal(false)
      // seek: exact, between keys, before the first, past the end.
      expect(c.seek(numKey(100))).to.equal(true)
      expect(str(c.key)).to.equal(numKey(100).toString())
      expect(c.seek(numKey(101))).to.equal(true)
      expect(str(c.key)).to.equal(numKey(102).toString())
      expect(c.prev()).to.equal(true)
      expect(str(c.key)).to.equal(numKey(100).toString())
      expect(c.seek(b('0'))).to.equal(true)
      expect(str(c.key)).to.equal(numKey(0).toString())
      expect(c.seek(b('9'))).to.equal(false)
      expect(c.valid).to.equal(false)
      // Walk the whole way back and forth across every leaf boundary.
      let i = 0
      for (let ok = c.first(); ok; ok = c.next()) expect(str(c.key)).to.equal(numKey(2 * i++).toString())
      expect(i).to.equal(n)
      for (let ok = c.last(); ok; ok = c.prev()) expect(str(c.key)).to.equal(numKey(2 * --i).toString())
      expect(i).to.equal(0)
      // Zig-zag.
      c.seek(numKey(1000))
      c.next()
      c.prev()
      c.prev()
      expect(str(c.key)).to.equal(numKey(998).toString())
    })
    expectCheck(db)
  })

  it('an empty bucket: every move is false', async () => {
    const db = await t.open()
    await db.update((tx) => {
      const c = tx.createBucket('e').cursor()
      expect([c.first(), c.last(), c.seek(b('a')), c.next(), c.prev()]).to.deep.equal([
        false,
        false,
        false,
        false,
        false,
      ])
    })
    await db.update((tx) => {
      const a = tx.bucket('e')!
      a.put(b('x'), b('1'))
      a.delete(b('x'))
    })
    db.view((tx) => {
      const c = tx.bucket('e')!.cursor()
      expect([c.first(), c.last(), c.seek(b('a')), c.next(), c.prev()]).to.deep.equal([
        false,
        false,
        false,
        false,
        false,
      ])
      expect([...tx.bucket('e')!.entries()]).to.deep.equal([])
      expect([...tx.bucket('e')!.entries({ reverse: true, gte: b('a') })]).to.deep.equal([])
    })
    expectCheck(db)
  })

  it('a cursor in a write transaction, writing to the same bucket, neither skips nor repeats', async () => {
    const db = await t.open({ pageSize: 1024 })
    await db.update((tx) => {
      const a = tx.createBucket('a')
      for (let i = 0; i < 1000; i++) a.put(numKey(i * 10), b('orig'))
    })
    await db.update((tx) => {
      const a = tx.bucket('a')!
      const c = a.cursor()
      const seen: number[] = []
      for (let ok = c.first(); ok; ok = c.next()) {
        const k = Number(str(c.key))
        seen.push(k)
        if (k % 10 !== 0) continue
        // Replace the current value, insert after it (ahead of the cursor) and splits follow.
        a.put(c.key!, Buffer.alloc(60, 1))
        a.put(numKey(k + 5), b('new'))
        // Delete behind the cursor and one ahead of it.
        if (k >= 20) a.delete(numKey(k - 20))
        a.delete(numKey(k + 10 * 3))
      }
      // Every original key not deleted ahead, and every inserted key, exactly once, in order.
      // Visiting k deletes k+30, so of each six originals the cursor sees three, each followed by k+5.
      const want: number[] = []
      for (let i = 0; i < 1000; i++) if (i % 6 < 3) want.push(i * 10, i * 10 + 5)
      expect(seen).to.deep.equal(want)
    })
    await db.update((tx) => {
      const a = tx.bucket('a')!
      const c = a.cursor()
      const seen: string[] = []
      const before = [...a.entries()].map(([k]) => str(k)!).reverse()
      for (let ok = c.last(); ok; ok = c.prev()) {
        seen.push(str(c.key)!)
        a.put(Buffer.concat([c.key!, b('x')]), b('after, skipped'))
        a.delete(c.key!)
      }
      expect(seen).to.deep.equal(before)
      expect(a.size).to.equal(seen.length)
    })
    expectCheck(db)
  })

  it('a write-transaction cursor under random writes always moves to the neighbour of its last key in the current contents', async () => {
    const db = await t.open({ pageSize: 1024 })
    const rng = new Prng(99)
    const model = new Set<string>()
    await db.update((tx) => {
      const a = tx.createBucket('a')
      for (let i = 0; i < 1500; i++) {
        const k = Buffer.from(rng.bytes(rng.range(1, 3))).toString('hex')
        model.add(k)
        a.put(Buffer.from(k, 'hex'), Buffer.alloc(rng.int(80)))
      }
    })
    await db.update((tx) => {
      const a = tx.bucket('a')!
      const c = a.cursor()
      for (let pass = 0; pass < 2; pass++) {
        const forward = pass === 0
        let ok = forward ? c.first() : c.last()
        let steps = 0
        while (ok) {
          const at = hex(c.key)!
          expect(model.has(at)).to.equal(true)
          for (let i = rng.int(6); i > 0; i--) {
            const k =
              rng.bool(0.5) && model.size > 0
                ? rng.pick([...model])
                : Buffer.from(rng.bytes(rng.range(1, 3))).toString('hex')
            if (rng.bool(0.5)) {
              a.put(Buffer.from(k, 'hex'), Buffer.alloc(rng.int(80)))
              model.add(k)
            } else {
              a.delete(Buffer.from(k, 'hex'))
              model.delete(k)
            }
          }
          const sorted = [...model].sort()
          const want = forward ? sorted.find((k) => k > at) : sorted.reverse().find((k) => k < at)
          ok = forward ? c.next() : c.prev()
          expect(hex(c.key), `step ${steps} from ${at}`).to.equal(want)
          expect(ok).to.equal(want !== undefined)
          steps++
        }
        expect(steps).to.be.greaterThan(100)
      }
    })
    db.view((tx) => expect([...tx.bucket('a')!.entries()].map(([k]) => hex(k))).to.deep.equal([...model].sort()))
    expectCheck(db)
  })

  it('a cursor on pages that never reads its key (made lazily there) re-seeks from it after writes', async () => {
    // journal: false commits as pages, so the write transaction's cursor lands on page entries,
    // whose key is made only when read: the re-seek after a write must still start from it.
    const db = await t.open({ pageSize: 1024, journal: false })
    const model: number[] = []
    await db.update((tx) => {
      const a = tx.createBucket('a')
      for (let i = 0; i < 600; i++) {
        a.put(numKey(i * 10), b('v'))
        model.push(i * 10)
      }
    })
    await db.update((tx) => {
      const a = tx.bucket('a')!
      const c = a.cursor()
      let at = 0
      let steps = 0
      for (let ok = c.first(); ok; steps++) {
        // Moves that never read the key, then writes around the position, then one more move.
        for (let m = steps % 3; m > 0 && ok; m--, at++) ok = c.next()
        if (!ok) break
        const current = model[at]!
        a.put(numKey(current + 5), b('new'))
        if (a.delete(numKey(current + 20))) model.splice(model.indexOf(current + 20), 1)
        if (!model.includes(current + 5)) model.splice(at + 1, 0, current + 5)
        ok = c.next()
        at++
        expect(ok ? Number(str(c.key)) : undefined, `step ${steps}`).to.equal(model[at])
      }
      expect(steps).to.be.greaterThan(100)
      expect([...a.entries()].map(([k]) => Number(str(k)))).to.deep.equal(model)
    })
    expectCheck(db)
  })

  it('cursor values of overflow entries read the whole value', async () => {
    const db = await t.open({ pageSize: 1024 })
    await db.update((tx) => {
      const a = tx.createBucket('a')
      for (let i = 0; i < 20; i++) a.put(numKey(i), Buffer.alloc(i * 300, i))
    })
    db.view((tx) => {
      const c = tx.bucket('a')!.cursor()
      let i = 0
      for (let ok = c.first(); ok; ok = c.next(), i++)
        expect(Buffer.from(c.value!).equals(Buffer.alloc(i * 300, i))).to.equal(true)
      expect(i).to.equal(20)
    })
    expectCheck(db)
  })

  it('entries() with gt/gte/lt/lte/reverse/limit agrees with a sorted array', async () => {
    const db = await t.open({ pageSize: 1024 })
    const rng = new Prng(7)
    const keys = new Set<string>()
    while (keys.size < 800) keys.add(Buffer.from(rng.bytes(rng.range(1, 4))).toString('hex'))
    const sorted = [...keys].sort()
    await db.update((tx) => {
      const a = tx.createBucket('a')
      for (const k of keys) a.put(Buffer.from(k, 'hex'), Buffer.from(k + '!'))
    })
    const bound = (): Buffer | undefined => {
      const r = rng.next()
      if (r < 0.25) return undefined
      if (r < 0.6) return Buffer.from(rng.pick(sorted), 'hex')
      return Buffer.from(rng.bytes(rng.range(0, 4)))
    }
    const expected = (o: RangeOptions): string[] => {
      let out = sorted.filter((k) => {
        const kb = Buffer.from(k, 'hex')
        if (o.gte !== undefined) {
          if (Buffer.compare(kb, Buffer.from(o.gte)) < 0) return false
        } else if (o.gt !== undefined && Buffer.compare(kb, Buffer.from(o.gt)) <= 0) return false
        if (o.lte !== undefined) {
          if (Buffer.compare(kb, Buffer.from(o.lte)) > 0) return false
        } else if (o.lt !== undefined && Buffer.compare(kb, Buffer.from(o.lt)) >= 0) return false
        return true
      })
      if (o.reverse === true) out = out.reverse()
      if (o.limit !== undefined && o.limit >= 0) out = out.slice(0, o.limit)
      return out
    }
    db.view((tx) => {
      const a = tx.bucket('a')!
      for (let i = 0; i < 600; i++) {
        const o: RangeOptions = {}
        for (const name of ['gt', 'gte', 'lt', 'lte'] as const) {
          const v = bound()
          if (v !== undefined) o[name] = v
        }
        if (rng.bool()) o.reverse = rng.bool()
        if (rng.bool(0.4)) o.limit = rng.pick([-1, 0, 1, 2, 10, 1000])
        const got = [...a.entries(o)]
        const want = expected(o)
        const printable = JSON.stringify(o, (_, v) => (v?.type === 'Buffer' ? Buffer.from(v.data).toString('hex') : v))
        expect(
          got.map(([k]) => hex(k)),
          printable,
        ).to.deep.equal(want)
        for (const [k, v] of got) expect(str(v)).to.equal(hex(k) + '!')
      }
      // The precedence rules, spelled out.
      const first = Buffer.from(sorted[0]!, 'hex')
      const last = Buffer.from(sorted[sorted.length - 1]!, 'hex')
      expect(hex([...a.entries({ gt: first, gte: first, limit: 1 })][0]![0])).to.equal(sorted[0])
      expect(hex([...a.entries({ lt: last, lte: last, reverse: true, limit: 1 })][0]![0])).to.equal(
        sorted[sorted.length - 1],
      )
      expect(hex([...a.entries({ gt: first, limit: 1 })][0]![0])).to.equal(sorted[1])
    })
    expectCheck(db)
  })

  it('entries() yields copies that stay valid, and rejects bad options', async () => {
    const db = await t.open()
    await db.update((tx) => {
      const a = tx.createBucket('a')
      a.put(b('k1'), b('v1'))
      a.put(b('k2'), b('v2'))
    })
    let kept: Array<[Uint8Array, Uint8Array]> = []
    db.view((tx) => {
      kept = [...tx.bucket('a')!.entries()]
      expect(thrown(() => [...tx.bucket('a')!.entries({ gt: 'a' as unknown as Uint8Array })]).code).to.equal(
        'BTREE_INVALID_ARGUMENT',
      )
    })
    await db.update((tx) => tx.bucket('a')!.put(b('k1'), b('changed')))
    expect(kept.map(([k, v]) => `${str(k)}=${str(v)}`)).to.deep.equal(['k1=v1', 'k2=v2'])
    expectCheck(db)
  })

  it('entries() copies keys and values of every length exactly, from pages and from nodes, in a write transaction that changes the tree', async () => {
    // Lengths around copyOf's switch from a byte loop to a bulk copy (32 bytes), the empty key and
    // value, and an overflow value; the keys share prefixes so that leaves split among them.
    const lengths = [0, 1, 15, 16, 31, 32, 33, 64, 100]
    const entries: Array<[Buffer, Buffer]> = []
    for (const kl of lengths)
      for (const vl of [...lengths, 5000]) {
        const key = Buffer.alloc(kl + 2, 0x61 + (kl % 26))
        key.writeUInt16BE(vl, kl)
        entries.push([key, Buffer.alloc(vl, (kl * 7 + vl) & 255)])
      }
    const sorted = [...entries].sort(([x], [y]) => Buffer.compare(x, y))
    const db = await t.open({ pageSize: 1024 })
    await db.update((tx) => {
      const a = tx.createBucket('a')
      for (const [k, v] of entries) a.put(k, v)
    })
    const expectAll = (got: Array<[Uint8Array, Uint8Array]>, want: Array<[Buffer, Buffer]>): void => {
      expect(got.map(([k, v]) => `${hex(k)}=${hex(v)}`)).to.deep.equal(want.map(([k, v]) => `${hex(k)}=${hex(v)}`))
    }
    // In memory (the journal's nodes), then from pages after a checkpoint.
    db.view((tx) => expectAll([...tx.bucket('a')!.entries()], sorted))
    await db.checkpoint()
    db.view((tx) => {
      expectAll([...tx.bucket('a')!.entries()], sorted)
      expectAll([...tx.bucket('a')!.entries({ reverse: true })], [...sorted].reverse())
    })
    // A write transaction that replaces every value while iterating: each yielded pair is the
    // value as it was when yielded, the iteration neither skips nor repeats a key.
    await db.update((tx) => {
      const a = tx.bucket('a')!
      const seen: Array<[Uint8Array, Uint8Array]> = []
      for (const [k, v] of a.entries()) {
        seen.push([k, v])
        a.put(k, Buffer.concat([v, Buffer.from('!')]))
      }
      expectAll(seen, sorted)
    })
    db.view((tx) =>
      expectAll(
        [...tx.bucket('a')!.entries()],
        sorted.map(([k, v]) => [k, Buffer.concat([v, Buffer.from('!')])]),
      ),
    )
    expectCheck(db)
  })

  it('entries(): a break ends the iterator, bad options throw at the first next(), limit 0 yields nothing', async () => {
    const db = await t.open()
    await db.update((tx) => {
      const a = tx.createBucket('a')
      for (let i = 0; i < 10; i++) a.put(numKey(i), numKey(i))
    })
    db.view((tx) => {
      const a = tx.bucket('a')!
      const it = a.entries()
      for (const [k] of it) if (str(k) === numKey(2).toString()) break
      expect(it.next().done).to.equal(true)
      const lazy = a.entries({ limit: 'x' as unknown as number })
      expect(thrown(() => lazy.next()).code).to.equal('BTREE_INVALID_ARGUMENT')
      expect([...a.entries({ limit: 0 })]).to.deep.equal([])
      expect([...a.entries({ gte: numKey(3), lt: numKey(6) })].map(([k]) => str(k))).to.deep.equal(
        [3, 4, 5].map((i) => numKey(i).toString()),
      )
    })
    expectCheck(db)
  })
})
