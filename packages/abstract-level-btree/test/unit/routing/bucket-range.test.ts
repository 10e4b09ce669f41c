import { expect } from 'chai'
import { localRange, localTarget, rangeOf, type KeyRange } from '../../../src/routing/bucket-range.js'
import { PrefixRegistry } from '../../../src/routing/prefix-registry.js'
import { PrefixTrie } from '../../../src/routing/prefix-trie.js'

const b = (s: string): Buffer => Buffer.from(s, 'latin1')
const show = (r: KeyRange | undefined): string | undefined =>
  r === undefined
    ? undefined
    : `${r.lower === undefined ? '(' : (r.lower.inclusive ? '[' : '(') + Buffer.from(r.lower.key).toString('latin1')},${r.upper === undefined ? ')' : Buffer.from(r.upper.key).toString('latin1') + (r.upper.inclusive ? ']' : ')')}`

describe('routing/bucket-range', () => {
  it('rangeOf: gte wins over gt, lte over lt; present empty bounds count', () => {
    expect(show(rangeOf({ gt: 'a', gte: 'b', lt: 'y', lte: 'z' }))).to.equal('[b,z]')
    expect(show(rangeOf({ gt: '', lt: 'c' }))).to.equal('(,c)')
    expect(show(rangeOf({}))).to.equal('(,)')
  })

  it('localRange: bounds under the prefix lose it, bounds outside open or empty the bucket', () => {
    const p = b('!a!')
    expect(show(localRange(rangeOf({ gte: '!a!k', lt: '!a!z' }), p))).to.equal('[k,z)')
    // A sublevel's own range: its prefix and the prefix with the last separator bumped.
    expect(show(localRange(rangeOf({ gte: '!a!', lte: '!a"' }), p))).to.equal('(,)')
    expect(show(localRange(rangeOf({ gt: '!a!', lt: '!a!' }), p))).to.equal(undefined)
    expect(show(localRange(rangeOf({ gt: '!a!' }), p))).to.equal('(,)')
    expect(show(localRange(rangeOf({ lte: '!a!' }), p))).to.equal('(,]')
    expect(show(localRange(rangeOf({ gte: '!' }), p))).to.equal('(,)')
    expect(show(localRange(rangeOf({ gte: '!b' }), p))).to.equal(undefined)
    expect(show(localRange(rangeOf({ lt: '!a' }), p))).to.equal(undefined)
    expect(show(localRange(rangeOf({ lt: '!b' }), p))).to.equal('(,)')
    // The root bucket (empty prefix) keeps the range as it is.
    expect(show(localRange(rangeOf({ gt: 'a', lte: 'b' }), b('')))).to.equal('(a,b]')
  })

  it('localTarget: a seek target lands on a key, before or after the bucket', () => {
    expect(localTarget(b('!a!x'), b('!a!'))).to.deep.equal({ kind: 'key', key: b('x') })
    expect(localTarget(b('!'), b('!a!'))).to.deep.equal({ kind: 'before' })
    expect(localTarget(b('!b'), b('!a!'))).to.deep.equal({ kind: 'after' })
  })

  it('PrefixRegistry.route: the longest registered prefix, else the root', () => {
    const registry = new PrefixRegistry('root', [
      { prefix: b('!a!'), bucket: 'a' },
      { prefix: b('!a!!b!'), bucket: 'ab' },
    ])
    expect(registry.route(b('!a!!b!k')).bucket).to.equal('ab')
    expect(registry.route(b('!a!!b')).bucket).to.equal('a')
    expect(registry.route(b('!a')).bucket).to.equal('root')
    expect(registry.route(b('')).bucket).to.equal('root')
    expect(registry.has(b('!a!'))).to.equal(true)
    expect(registry.has(b('!a'))).to.equal(false)
    const more = registry.with({ prefix: b('!c!'), bucket: 'c' })
    expect(more.route(b('!c!1')).bucket).to.equal('c')
    // The registry it came from does not change (a snapshot may hold it).
    expect(registry.route(b('!c!1')).bucket).to.equal('root')
    expect(more.routes.map((r) => r.bucket)).to.deep.equal(['root', 'a', 'ab', 'c'])
  })

  it('PrefixRegistry.routesFor: the root, the prefixes of the lower bound, and the prefixes within the range', () => {
    const names = ['a', 'b', 'c', 'd']
    let registry = new PrefixRegistry('root', [])
    for (const n of names) registry = registry.with({ prefix: b(`!${n}!`), bucket: n })
    registry = registry.with({ prefix: b('!b!!x!'), bucket: 'bx' })
    const reached = (options: object): string[] =>
      registry
        .routesFor(rangeOf(options))
        .map((r) => r.bucket)
        .sort()
    expect(reached({ gte: '!b!', lte: '!b"' })).to.deep.equal(['b', 'bx', 'root'])
    expect(reached({ gte: '!b!!x!k', lte: '!b!!x!z' })).to.deep.equal(['b', 'bx', 'root'])
    expect(reached({ gt: '!c' })).to.deep.equal(['c', 'd', 'root'])
    expect(reached({ lt: '!b!' })).to.deep.equal(['a', 'b', 'root'])
    expect(reached({})).to.deep.equal(['a', 'b', 'bx', 'c', 'd', 'root'])
  })

  it('PrefixTrie: longest prefix, exact lookup, prefixes of a key; with() leaves the original alone', () => {
    const trie = new PrefixTrie<string>()
    trie.set(b('ab'), 'ab')
    trie.set(b('abcd'), 'abcd')
    expect(trie.longest(b('abc'))).to.equal('ab')
    expect(trie.longest(b('abcdef'))).to.equal('abcd')
    expect(trie.longest(b('a'))).to.equal(undefined)
    expect(trie.get(b('abc'))).to.equal(undefined)
    expect(trie.prefixesOf(b('abcde'))).to.deep.equal(['ab', 'abcd'])
    const next = trie.with(b('abc'), 'abc')
    expect(next.longest(b('abcx'))).to.equal('abc')
    expect(trie.longest(b('abcx'))).to.equal('ab')
    expect([trie.size, next.size]).to.deep.equal([2, 3])
  })
})
