import { expect } from 'chai'
import { like } from '../../../src/expression/operators.js'

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
})
