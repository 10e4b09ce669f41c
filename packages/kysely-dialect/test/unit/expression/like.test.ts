import { expect } from 'chai'
import { like, setCaseSensitiveLike } from '../../../src/expression/operators.js'

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
})
