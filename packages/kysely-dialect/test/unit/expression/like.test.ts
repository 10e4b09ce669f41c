import { expect } from 'chai'
import { like, likeBytesMatcher, setCaseSensitiveLike } from '../../../src/expression/operators.js'
import { prng } from '../../helpers/random-queries.js'

describe('expression/like', () => {
  it('% and _ with ASCII-only case folding, regex characters literal', () => {
    expect(like('Hello', 'h%O')).to.equal(true)
    expect(like('Hello', 'h_llo')).to.equal(true)
    expect(like('Hello', 'h_lo')).to.equal(false)
    expect(like('É', 'é')).to.equal(false)
    expect(like('a.b', 'a.b')).to.equal(true)
    expect(like('axb', 'a.b')).to.equal(false)
    expect(like('(x)', '(%)')).to.equal(true)
    expect(like('line\nbreak', 'line%')).to.equal(true)
    expect(like('😀', '_')).to.equal(true)
  })

  it('one literal between % signs is a substring, prefix, suffix or equality test, as the pattern says', () => {
    const cases: [string, string, boolean][] = [
      ['name-199', '%99%', true],
      ['name-19', '%99%', false],
      ['99', '%99%', true],
      ['name-199', '%99', true],
      ['name-991', '%99', false],
      ['991', '99%', true],
      ['199', '99%', false],
      ['99', '99', true],
      ['099', '99', false],
      ['', '', true],
      ['x', '', false],
      ['', '%', true],
      ['anything', '%%', true],
      ['a%b', '%\\%%', true],
      ['ab', '%\\%%', false],
      ['Hello World', '%WORLD', true],
      ['Hello World', 'HELLO%', true],
      ['Hello World', '%O W%', true],
      ['hello', 'HELLO', true],
      ['Émile', 'é%', false],
      ['x', 'x\\', false],
      ['xxHeLLoxx', '%hello%', true],
      ['xxHeLLxx', '%hello%', false],
      ['HE', 'he', true],
      ['hello', 'HELLOX', false],
      ['Ünïcode TAIL', '%tail', true],
      ['ünïcode', 'Ünï%', false],
    ]
    for (const [text, pattern, want] of cases)
      expect(like(text, pattern, pattern.includes('\\') ? '\\' : undefined), `${text} like ${pattern}`).to.equal(want)
  })

  it('PRAGMA case_sensitive_like: letters match their own case only, whatever pattern was used before', () => {
    expect(like('Hello World', '%world')).to.equal(true)
    setCaseSensitiveLike(true)
    try {
      expect(like('Hello World', '%world')).to.equal(false)
      expect(like('Hello World', '%World')).to.equal(true)
      expect(like('Hello World', 'h%')).to.equal(false)
      expect(like('Hello World', 'H_llo%')).to.equal(true)
    } finally {
      setCaseSensitiveLike(false)
    }
    expect(like('Hello World', '%world')).to.equal(true)
  })

  it('likeBytesMatcher: the same answers as like() on the text, read as its UTF-8 bytes inside a larger buffer (seeded)', () => {
    const seed = Number(process.env.SEED ?? 20261207)
    console.log(`      likeBytesMatcher seed: ${seed} (SEED=<n> to replay)`)
    const r = prng(seed)
    const alphabet = ['a', 'B', 'b', '9', '-', ' ', 'é', 'É', '😀', '\u0000', '%', '_', 'z', 'Z']
    const text = (max: number): string =>
      Array.from({ length: Math.floor(r() * max) }, () => alphabet[Math.floor(r() * alphabet.length)]!).join('')
    const encoder = new TextEncoder()
    let taken = 0
    for (let i = 0; i < 20000; i++) {
      const sensitive = r() < 0.2
      // The pattern is cut at its first NUL before it is given (cString): none in it.
      const literal = text(4).split('\u0000').join('')
      const pattern = (r() < 0.5 ? '%'.repeat(1 + Math.floor(r() * 2)) : '') + literal + (r() < 0.5 ? '%' : '')
      const matcher = likeBytesMatcher(pattern, sensitive)
      // Patterns with a % or _ inside (or a surrogate) are not taken: like() answers those.
      if (matcher === undefined) {
        expect(/[%_\ud800-\udfff]/.test(pattern.replace(/^%+|%+$/g, '')), pattern).to.equal(true)
        continue
      }
      taken++
      const s = text(12)
      const bytes = encoder.encode(s)
      const page = new Uint8Array(bytes.length + 8).fill(0x61)
      page.set(bytes, 3)
      setCaseSensitiveLike(sensitive)
      try {
        const want = like(s.includes('\u0000') ? s.slice(0, s.indexOf('\u0000')) : s, pattern)
        if (matcher!(page, 3, 3 + bytes.length) !== want)
          expect.fail(
            `seed ${seed}: ${JSON.stringify(s)} like ${JSON.stringify(pattern)} (sensitive ${sensitive}): want ${want}`,
          )
      } finally {
        setCaseSensitiveLike(false)
      }
    }
    expect(taken).to.be.greaterThan(5000)
    for (const pattern of ['a_b', '%a%b%', '_', '%😀%'])
      expect(likeBytesMatcher(pattern, false), pattern).to.equal(undefined)
  })
})
