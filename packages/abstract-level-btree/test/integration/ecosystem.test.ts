import { expect } from 'chai'
import { EntryStream, KeyStream, ValueStream } from 'level-read-stream'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { BTreeLevel } from '../../src/index.js'
import { expectCheckOk, useLocations } from '../helpers.js'

const pad = (i: number): string => String(i).padStart(5, '0')

/** A slow sink: every write waits a turn, so the stream must respect backpressure. */
function slowSink<T>(out: T[]): Writable {
  return new Writable({
    objectMode: true,
    highWaterMark: 2,
    write(chunk: T, _encoding, done) {
      out.push(chunk)
      setImmediate(done)
    },
  })
}

describe('btree-level: the Level ecosystem', () => {
  const { location, track } = useLocations()

  it('level-read-stream: EntryStream, KeyStream and ValueStream, with backpressure', async () => {
    const db = track(new BTreeLevel(location()))
    await db.batch(Array.from({ length: 3000 }, (_, i) => ({ type: 'put' as const, key: pad(i), value: `v${i}` })))
    const entries: Array<{ key: string; value: string }> = []
    const stream = new EntryStream(db, { gte: pad(100), lt: pad(2600), highWaterMark: 16 })
    // Backpressure: the stream reads ahead at most its highWaterMark (plus one nextv) of the sink.
    let most = 0
    const sink = slowSink(entries)
    // (readable-stream ships no types: seen through Node's own Readable.)
    const readable = stream as unknown as import('node:stream').Readable
    readable.on('data', () => (most = Math.max(most, readable.readableLength)))
    await pipeline(stream, sink)
    expect(most).to.be.at.most(32)
    expect(entries).to.have.length(2500)
    expect(entries[0]).to.deep.equal({ key: pad(100), value: 'v100' })
    const keys: string[] = []
    await pipeline(new KeyStream(db, { reverse: true, limit: 5 }), slowSink(keys))
    expect(keys).to.deep.equal([pad(2999), pad(2998), pad(2997), pad(2996), pad(2995)])
    const values: string[] = []
    await pipeline(new ValueStream(db, { lte: pad(2) }), slowSink(values))
    expect(values).to.deep.equal(['v0', 'v1', 'v2'])
  })

  it('level-transcoder encodings: utf8, json, buffer, view, hex, base64 and a custom one', async () => {
    const db = track(new BTreeLevel(location()))
    await db.put('s', 'text', { valueEncoding: 'utf8' })
    await db.put('j', { a: [1, 2] } as never, { valueEncoding: 'json' })
    await db.put('b', Buffer.from([1, 2, 3]) as never, { valueEncoding: 'buffer' })
    await db.put('v', Uint8Array.of(4, 5) as never, { valueEncoding: 'view' })
    await db.put('deadbeef', 'hex key', { keyEncoding: 'hex' })
    await db.put('aGk=', 'base64 key', { keyEncoding: 'base64' })
    const upper = {
      name: 'upper',
      format: 'utf8' as const,
      encode: (s: string) => s.toUpperCase(),
      decode: (s: string) => s.toLowerCase(),
    }
    await db.put('c', 'custom', { valueEncoding: upper })

    expect(await db.get('s')).to.equal('text')
    expect(await db.get('j', { valueEncoding: 'json' })).to.deep.equal({ a: [1, 2] })
    expect(await db.get('b', { valueEncoding: 'buffer' })).to.deep.equal(Buffer.from([1, 2, 3]))
    const view = await db.get('v', { valueEncoding: 'view' })
    expect(view).to.be.instanceOf(Uint8Array)
    expect([...(view as unknown as Uint8Array)]).to.deep.equal([4, 5])
    expect(await db.get(Buffer.from([0xde, 0xad, 0xbe, 0xef]) as never, { keyEncoding: 'buffer' })).to.equal('hex key')
    expect(await db.get('hi')).to.equal('base64 key')
    expect(await db.get('c')).to.equal('CUSTOM')
    expect(await db.get('c', { valueEncoding: upper })).to.equal('custom')
    expect(await db.keys({ keyEncoding: 'hex', lt: '70' }).all()).to.deep.equal(['62', '63', '6869', '6a'])
    expectCheckOk(db)
  })

  it('the everyday patterns: ranges with reverse and limit, for await, seek', async () => {
    const db = track(new BTreeLevel(location()))
    await db.batch(Array.from({ length: 100 }, (_, i) => ({ type: 'put' as const, key: pad(i), value: String(i) })))
    expect(await db.keys({ gte: pad(10), lt: pad(20), reverse: true, limit: 3 }).all()).to.deep.equal([
      pad(19),
      pad(18),
      pad(17),
    ])
    let sum = 0
    for await (const [key, value] of db.iterator({ gt: pad(89) })) {
      expect(key).to.equal(pad(Number(value)))
      sum += Number(value)
    }
    expect(sum).to.equal(90 + 91 + 92 + 93 + 94 + 95 + 96 + 97 + 98 + 99)
    const it = db.values({ gte: pad(50) })
    it.seek(pad(97))
    expect(await it.nextv(10)).to.deep.equal(['97', '98', '99'])
    it.seek(pad(10))
    expect(await it.next()).to.equal(undefined)
    await it.close()
    const sub = db.sublevel<string, { n: number }>('json', { valueEncoding: 'json' })
    await sub.put('x', { n: 1 })
    for await (const [key, value] of sub.iterator()) expect([key, value]).to.deep.equal(['x', { n: 1 }])
  })
})
