import { expect } from 'chai'
import v8 from 'node:v8'
import vm from 'node:vm'
import { open, type FileSystem } from 'btree-store'
import { BTreeLevel } from '../../src/index.js'
import { expectCheckOk, hookedFileSystem, useLocations } from '../helpers.js'

/** The real file system, counting syncs. */
function countingFileSystem(): { fs: FileSystem; syncs: () => number } {
  let syncs = 0
  return { fs: hookedFileSystem({ beforeSync: () => void syncs++ }), syncs: () => syncs }
}

describe('btree-level: writes', () => {
  const { location, track } = useLocations()

  it('puts, dels and batches issued in the same tick share one engine commit', async () => {
    const db = track(new BTreeLevel(location()))
    const sub = db.sublevel('s')
    await sub.open()
    const txid = db.engine.txid
    await Promise.all([
      db.put('a', '1'),
      db.put('b', '2'),
      db.del('a'),
      db.batch([{ type: 'put', key: 'c', value: '3' }]),
      sub.put('d', '4'),
      db.batch().put('e', '5').del('b').write(),
    ])
    expect(db.engine.txid).to.equal(txid + 1)
    expect(await db.iterator().all()).to.deep.equal([
      ['!s!d', '4'],
      ['c', '3'],
      ['e', '5'],
    ])
    // Each promise resolved after its commit: a second tick makes a second commit.
    await db.put('f', '6')
    expect(db.engine.txid).to.equal(txid + 2)
    expectCheckOk(db)
  })

  it('sync: false commits without a sync, sync: true makes its commit durable before resolving', async () => {
    const { fs, syncs } = countingFileSystem()
    const engine = track(await open(location('shared.db'), { fileSystem: fs }))
    const db = track(new BTreeLevel('shared', { database: engine }))
    await db.open()
    const before = syncs()
    for (let i = 0; i < 20; i++) await db.put(`k${i}`, 'v')
    await db.batch([{ type: 'put', key: 'x', value: 'y' }])
    await db.del('k0')
    expect(syncs()).to.equal(before)
    await db.put('durable', 'yes', { sync: true })
    const afterPut = syncs()
    expect(afterPut).to.be.greaterThan(before)
    await db.batch([{ type: 'del', key: 'k1' }], { sync: true } as object)
    expect(syncs()).to.be.greaterThan(afterPut)
    // Durable commits are appended to the engine's journal (FORMAT.md §11) and reach pages at its checkpoints.
    expect(engine.info().journal!.records).to.be.greaterThan(0)
    expectCheckOk(db)
  })

  it('a failed write rejects alone and changes nothing; writes beside it in the same tick commit', async () => {
    const db = track(new BTreeLevel(location(), { pageSize: 1024 }))
    await db.open()
    const tooLarge = Buffer.alloc(db.engine.maxKeySize + 1, 1)
    const results = await Promise.allSettled([db.put('ok', '1'), db.put(tooLarge as never, 'x'), db.put('ok2', '2')])
    expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled'])
    expect((results[1] as PromiseRejectedResult).reason).to.have.property('code', 'LEVEL_INVALID_KEY')
    expect(await db.get('ok2')).to.equal('2')
    expectCheckOk(db)
  })

  it('buffers reused by the caller before the commit do not change what is stored', async () => {
    const db = track(new BTreeLevel<Uint8Array, Uint8Array>(location(), { keyEncoding: 'view', valueEncoding: 'view' }))
    await db.open()
    const key = Buffer.from('k1')
    const value = Buffer.from('v1')
    const shared = Buffer.from('abcdef')
    const writes = [
      db.put(key, value),
      db.batch([
        { type: 'put', key: shared.subarray(0, 2), value: shared.subarray(2, 4) },
        { type: 'put', key: Uint8Array.of(0x7a), value: shared.subarray(4) },
        { type: 'del', key: Buffer.from('none') },
      ]),
    ]
    key.fill(0x21)
    value.fill(0x21)
    shared.fill(0x21)
    await Promise.all(writes)
    const entries = (await db.iterator().all()).map(([k, v]) => [Buffer.from(k).toString(), Buffer.from(v).toString()])
    expect(entries).to.deep.equal([
      ['ab', 'cd'],
      ['k1', 'v1'],
      ['z', 'ef'],
    ])
    expectCheckOk(db)
  })

  it("an array batch of bytes leaves the caller's operations alone; encodings, invalid operations, write events and prewrite hooks still apply", async () => {
    // A buffer database's batches of Buffers skip abstract-level's copy of each operation
    // (direct-batch.ts); everything else must behave as through abstract-level.
    const db = track(new BTreeLevel<Buffer, Buffer>(location(), { keyEncoding: 'buffer', valueEncoding: 'buffer' }))
    await db.open()
    const ops = [
      { type: 'put' as const, key: Buffer.from('a'), value: Buffer.from('1') },
      { type: 'del' as const, key: Buffer.from('b') },
    ]
    const before = ops.map((op) => ({ ...op }))
    await db.batch(ops)
    for (let i = 0; i < ops.length; i++) {
      expect(Object.keys(ops[i]!)).to.deep.equal(Object.keys(before[i]!))
      expect(ops[i]!.key).to.equal(before[i]!.key)
    }
    expect(ops[0]!.value).to.equal(before[0]!.value)
    // A durable batch queues: its bytes are copied before batch() returns.
    const key = Buffer.from('f')
    const value = Buffer.from('6')
    const durable = db.batch([{ type: 'put', key, value }], { sync: true } as object)
    key.fill(0x21)
    value.fill(0x21)
    await durable
    await db.batch<string, string>(
      [{ type: 'put', key: 'c', value: '3', keyEncoding: 'utf8', valueEncoding: 'utf8' }],
      {},
    )
    const invalidKey = (await db
      .batch([{ type: 'put', key: null as unknown as Buffer, value: Buffer.from('x') }])
      .catch((err: unknown) => err)) as { code?: string }
    expect(invalidKey.code).to.equal('LEVEL_INVALID_KEY')
    const invalidValue = (await db
      .batch([{ type: 'put', key: Buffer.from('x'), value: undefined as unknown as Buffer }])
      .catch((err: unknown) => err)) as { code?: string }
    expect(invalidValue.code).to.equal('LEVEL_INVALID_VALUE')
    const badType = await db
      .batch([{ type: 'nope', key: Buffer.from('x') } as unknown as { type: 'del'; key: Buffer }])
      .catch((err: unknown) => err)
    expect(badType).to.be.instanceOf(TypeError)
    const seen: string[] = []
    const listener = (written: Array<{ key: Buffer }>): void =>
      void seen.push(...written.map((op) => op.key.toString()))
    db.on('write', listener)
    await db.batch([{ type: 'put', key: Buffer.from('d'), value: Buffer.from('4') }])
    db.off('write', listener)
    expect(seen).to.deep.equal(['d'])
    const hook = (op: { type: string; key: Buffer; value?: Buffer }, batch: { add(op: object): void }): void => {
      if (op.type === 'put')
        batch.add({ type: 'put', key: Buffer.concat([Buffer.from('i:'), op.value!]), value: op.key })
    }
    db.hooks.prewrite.add(hook as never)
    await db.batch([{ type: 'put', key: Buffer.from('e'), value: Buffer.from('5') }])
    db.hooks.prewrite.delete(hook as never)
    const entries = (await db.iterator().all()).map(([k, v]) => [k.toString(), v.toString()])
    expect(entries).to.deep.equal([
      ['a', '1'],
      ['c', '3'],
      ['d', '4'],
      ['e', '5'],
      ['f', '6'],
      ['i:5', 'e'],
    ])
    expectCheckOk(db)
  })

  it('put and del skip abstract-level only when nothing would see or change the write: hooks, write listeners, encoding options and an opening database take its path', async () => {
    // A put or del of plain data on a utf8 database goes to the engine directly (direct-write.ts);
    // each case below must not, or the hook, the listener or the encoding would be skipped.
    const db = track(new BTreeLevel(location()))
    // Still opening: abstract-level defers the write until the open ends.
    expect(db.status).to.equal('opening')
    await Promise.all([db.put('early', 'yes'), db.del('none')])
    expect(await db.get('early')).to.equal('yes')

    const hook = (op: { type: string; key: string; value?: string }, batch: { add(op: object): void }): void => {
      if (op.type === 'put') {
        op.value = op.value!.toUpperCase()
        batch.add({ type: 'put', key: `index:${op.value}`, value: op.key })
      } else batch.add({ type: 'del', key: `index:${op.key}` })
    }
    await db.put('index:gone', 'x')
    db.hooks.prewrite.add(hook as never)
    await db.put('h', 'hooked')
    await db.del('gone')
    db.hooks.prewrite.delete(hook as never)
    expect(await db.get('h')).to.equal('HOOKED')
    expect(await db.get('index:HOOKED')).to.equal('h')
    expect(await db.get('index:gone')).to.equal(undefined)

    const events: Array<Array<{ type: string; key: unknown; value?: unknown }>> = []
    const listener = (ops: Array<{ type: string; key: unknown; value?: unknown }>): void =>
      void events.push(ops.map(({ type, key, value }) => (type === 'put' ? { type, key, value } : { type, key })))
    db.on('write', listener)
    await db.put('l', 'listened')
    await db.del('l')
    db.off('write', listener)
    expect(events).to.deep.equal([[{ type: 'put', key: 'l', value: 'listened' }], [{ type: 'del', key: 'l' }]])

    await db.put('j', 'text', { valueEncoding: 'json' })
    expect(await db.get('j')).to.equal('"text"')
    expect(await db.get('j', { valueEncoding: 'json' })).to.equal('text')
    await db.put('6869', 'hex key', { keyEncoding: 'hex' })
    expect(await db.get('hi')).to.equal('hex key')
    await db.del('6869', { keyEncoding: 'hex' })
    expect(await db.get('hi')).to.equal(undefined)

    // And with nothing of the above, the same calls take the shortcut and store the same.
    await db.put('plain', 'value')
    await db.del('early')
    expect(await db.iterator().all()).to.deep.equal([
      ['h', 'HOOKED'],
      ['index:HOOKED', 'h'],
      ['j', '"text"'],
      ['plain', 'value'],
    ])
    expectCheckOk(db)
  })

  it('chained batches, write events and prewrite hooks work through the engine', async () => {
    const db = track(new BTreeLevel(location()))
    await db.open()
    const events: Array<Array<{ type: string; key: unknown }>> = []
    db.on('write', (ops: Array<{ type: string; key: unknown }>) =>
      events.push(ops.map((op) => ({ type: op.type, key: op.key }))),
    )
    db.hooks.prewrite.add((op, batch) => {
      if (op.type === 'put') batch.add({ type: 'put', key: `index:${op.value as string}`, value: op.key as string })
    })
    await db.batch().put('a', 'x').put('b', 'y').del('c').write()
    await db.put('d', 'z')
    expect(await db.iterator().all()).to.deep.equal([
      ['a', 'x'],
      ['b', 'y'],
      ['d', 'z'],
      ['index:x', 'a'],
      ['index:y', 'b'],
      ['index:z', 'd'],
    ])
    // Operations added by the hook follow the batch's own in the event.
    expect(events[0]!.map((op) => op.key)).to.deep.equal(['a', 'b', 'c', 'index:x', 'index:y'])
    expect(events[1]!.map((op) => op.key)).to.deep.equal(['d', 'index:z'])
    expectCheckOk(db)
  })

  it('no write leaves its engine transaction held once it settled: direct, queued, failed, clear', async () => {
    // The store routes every write through one router it keeps (routing/write-router.ts), which
    // must let go of each write's transaction: one held would keep that commit's tree in memory.
    v8.setFlagsFromString('--expose-gc')
    const gc = vm.runInNewContext('gc') as () => void
    const db = track(new BTreeLevel<string, string>(location()))
    await db.open()
    const engine = db.engine
    const held: Array<WeakRef<object>> = []
    const tryBegin = engine.tryBegin.bind(engine)
    engine.tryBegin = () => {
      const tx = tryBegin()
      if (tx !== undefined) held.push(new WeakRef(tx))
      return tx
    }
    const update = engine.update.bind(engine)
    engine.update = (fn, options) =>
      update((tx) => {
        held.push(new WeakRef(tx))
        return fn(tx)
      }, options)
    const sub = db.sublevel<string, string>('s', {})
    await db.batch([{ type: 'put', key: 'a', value: '1' }])
    await Promise.all([db.put('b', '2'), sub.put('c', '3'), db.batch([{ type: 'del', key: 'a' }])])
    const tooLong = 'k'.repeat(engine.maxKeySize + 1)
    // Only its code is kept: an error's stack holds its frames' receivers (a bucket, its transaction).
    let code: unknown
    await db.batch([{ type: 'put', key: tooLong, value: 'x' }]).catch((err: { code?: unknown }) => (code = err.code))
    expect(code).to.equal('LEVEL_INVALID_KEY')
    await sub.clear()
    await db.clear({ gte: 'b', limit: 1 })
    expect(held.length).to.be.greaterThan(4)
    expect(await db.keys().all()).to.deep.equal([])
    // A transaction still held after turns of the event loop and full collections is held for good.
    for (let turn = 0; turn < 3 && held.some((w) => w.deref() !== undefined); turn++) {
      await new Promise((resolve) => setImmediate(resolve))
      gc()
    }
    expect(held.filter((w) => w.deref() !== undefined).length, 'transactions still held').to.equal(0)
    expectCheckOk(db)
  })
})
