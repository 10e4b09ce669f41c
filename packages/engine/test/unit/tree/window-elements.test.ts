import { expect } from 'chai'
import { runModule } from '../io/node-module.js'

/**
 * A node's key windows (tree/key-windows.ts) are numbers up to 2^48, which V8 keeps unboxed only in
 * an array of double elements. A keyed store that has met arrays of objects moves each array it
 * stores into to elements of any value (their common kind), and every window is then a boxed heap
 * number: a branch step reads one through a pointer. The windows' own insert keeps them doubles;
 * `%HasDoubleElements` needs V8's natives syntax, so the check runs in a child process.
 */
describe('tree: key windows stay arrays of unboxed doubles', () => {
  it('inserting children into branches (keys and children first, then the window) keeps the windows double', () => {
    const node = JSON.stringify(new URL('../../../src/tree/node.js', import.meta.url).href)
    const r = runModule(
      ['--allow-natives-syntax'],
      `
        import { Node, EMPTY_KEY } from ${node}
        const key = (i) => Buffer.from('k' + String(i * 1000).padStart(12, '0'))
        const leaf = () => new Node(true, [], [], [], 0, 0)
        const kinds = []
        for (let b = 0; b < 50; b++) {
          const keys = [EMPTY_KEY]
          const kids = [leaf()]
          for (let i = 1; i < 40; i++) {
            keys.push(key(i))
            kids.push(leaf())
          }
          const branch = new Node(false, keys, [], kids, 0, 0)
          branch.windowBranchStep(key(7), 0) // builds the windows
          if (branch.windows.win === null) throw new Error('no windows built')
          for (let j = 0; j < 30; j++) {
            const k = Buffer.from('k' + String(j * 1000 + 500).padStart(12, '0'))
            let at = 1
            while (at < branch.keyList.length && Buffer.compare(branch.keyList[at], k) < 0) at++
            branch.insertChild(at, k, leaf())
          }
          const win = branch.windows.win
          kinds.push(%HasDoubleElements(win) ? 'double' : %HasSmiElements(win) ? 'smi' : 'any')
        }
        console.log(JSON.stringify([...new Set(kinds)]))
        `,
    )
    expect(r.status, r.stderr).to.equal(0)
    expect(JSON.parse(r.stdout.trim())).to.deep.equal(['double'])
  })
})
