import { expect } from 'chai'
import { localRange, localTarget, rangeOf, type KeyRange } from '../../../src/routing/bucket-range.js'
import { PrefixRegistry } from '../../../src/routing/prefix-registry.js'

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
    expect(registry.with({ prefix: b('!c!'), bucket: 'c' }).route(b('!c!1')).bucket).to.equal('c')
  })
})
