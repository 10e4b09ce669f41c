import { expect } from 'chai'
import { branchChild, branchChildTxid, branchKey, branchSearch } from '../../../src/page/branch-page.js'
import { checksumOk } from '../../../src/page/checksum.js'
import type { KeyReader } from '../../../src/page/key-compare.js'
import { PageType, pageCount, pageId, pageTxid, pageType } from '../../../src/page/layout.js'
import {
  encodeEmptyLeaf,
  leafFind,
  leafIsOverflow,
  leafKey,
  leafOverflowRef,
  leafSearch,
  leafValueBytes,
  leafValueLength,
} from '../../../src/page/leaf-page.js'
import { EMPTY_KEY, Node, OverflowValue, computeSize } from '../../../src/tree/node.js'
import { encodeNode } from '../../../src/tree/spill.js'

const k = (s: string): Buffer => Buffer.from(s)
/** For pages holding only inline keys: reading an out-of-line key would be a bug. */
const noReader: KeyReader = {
  readKey: () => {
    throw new Error('no out-of-line keys here')
  },
}

describe('page/leaf-page and page/branch-page (written by encodeNode)', () => {
  it('a leaf reads back its keys, inline values and overflow references in place', () => {
    const keys = [k('apple'), k('banana'), k('cherry'), k('d')]
    const vals = [k('1'), new Uint8Array(0), new OverflowValue(77, 0xfffffff0, 123_456), k('x'.repeat(200))]
    const node = new Node(true, keys, vals, [], 0, 0)
    node.size = computeSize(node, 4096)
    const page = encodeNode(node, 12, 2 ** 32 + 5, Buffer.alloc(4096))
    expect(checksumOk(page)).to.equal(true)
    expect(pageType(page)).to.equal(PageType.leaf)
    expect(pageId(page)).to.equal(12)
    expect(pageTxid(page)).to.equal(5)
    expect(pageCount(page)).to.equal(4)
    keys.forEach((key, i) => expect(leafKey(page, i, noReader)).to.deep.equal(key))
    expect(leafValueBytes(page, 0)).to.deep.equal(k('1'))
    expect(leafValueBytes(page, 1)).to.have.length(0)
    expect(leafIsOverflow(page, 1)).to.equal(false)
    expect(leafIsOverflow(page, 2)).to.equal(true)
    expect(leafValueLength(page, 2)).to.equal(123_456)
    expect(leafOverflowRef(page, 2)).to.deep.equal([77, 0xfffffff0])
    expect(leafValueLength(page, 3)).to.equal(200)
    // Decoding gives back the same node.
    const back = Node.fromPage(page, 12, noReader)
    expect(back.size).to.equal(node.size)
    expect(back.vals[2]).to.deep.equal(vals[2])
  })

  it('leafSearch and leafFind: exact hits, gaps, before the first and past the last', () => {
    const keys = ['b', 'd', 'dd', 'f'].map(k)
    const node = new Node(
      true,
      keys,
      keys.map(() => k('v')),
      [],
      0,
      0,
    )
    const page = encodeNode(node, 3, 1, Buffer.alloc(1024))
    expect(leafSearch(page, k('d'), noReader)).to.deep.equal({ index: 1, exact: true })
    expect(leafSearch(page, k('c'), noReader)).to.deep.equal({ index: 1, exact: false })
    expect(leafSearch(page, k('a'), noReader)).to.deep.equal({ index: 0, exact: false })
    expect(leafSearch(page, k('g'), noReader)).to.deep.equal({ index: 4, exact: false })
    expect(leafSearch(page, k('dd'), noReader)).to.deep.equal({ index: 2, exact: true })
    expect(leafFind(page, k('f'), 0, noReader)).to.equal(3)
    expect(leafFind(page, k('e'), 0, noReader)).to.equal(-1 - 3)
    expect(leafFind(page, k('a'), 0, noReader)).to.equal(-1)
    expect(leafFind(page, k('z'), 0, noReader)).to.equal(-1 - 4)
  })

  it('a branch stores entry 0 with an empty key and children with their txids; branchSearch picks the last key <= the key', () => {
    const node = new Node(
      false,
      [k('ignored'), k('m'), k('t')],
      [],
      [
        { pgid: 5, txid: 1 },
        { pgid: 6, txid: 2 ** 32 - 1 },
        { pgid: 7, txid: 3 },
      ],
      0,
      0,
    )
    const page = encodeNode(node, 9, 4, Buffer.alloc(1024))
    expect(pageType(page)).to.equal(PageType.branch)
    expect(pageCount(page)).to.equal(3)
    expect(branchKey(page, 0, noReader)).to.have.length(0)
    expect(branchKey(page, 1, noReader)).to.deep.equal(k('m'))
    expect([0, 1, 2].map((i) => branchChild(page, i))).to.deep.equal([5, 6, 7])
    expect(branchChildTxid(page, 1)).to.equal(2 ** 32 - 1)
    const at = (s: string): number => branchSearch(page, k(s), 0, noReader)
    expect([at('a'), at('l'), at('m'), at('n'), at('t'), at('zz')]).to.deep.equal([0, 0, 1, 1, 2, 2])
    const back = Node.fromPage(page, 9, noReader)
    expect(back.keys[0]).to.deep.equal(EMPTY_KEY)
    expect(back.kids).to.deep.equal(node.kids)
    expect(back.size).to.equal(computeSize(back, 1024))
  })

  it('a node filled to exactly the page size encodes; the computed size matches the bytes used', () => {
    const pageSize = 1024
    const node = Node.emptyLeaf()
    let i = 0
    while (node.size + 2 + 6 + 4 + 20 <= pageSize) {
      const key = k(String(i++).padStart(4, '0'))
      node.keys.push(key)
      node.vals.push(Buffer.alloc(20, i))
      node.size += 2 + 6 + 4 + 20
    }
    const last = pageSize - node.size - 2 - 6 - 4
    node.keys.push(k('zzzz'))
    node.vals.push(Buffer.alloc(last, 1))
    node.size = computeSize(node, pageSize)
    expect(node.size).to.equal(pageSize)
    const page = encodeNode(node, 3, 1, Buffer.alloc(pageSize))
    expect(leafValueBytes(page, node.keys.length - 1)).to.deep.equal(Buffer.alloc(last, 1))
  })
})

describe("encodeEmptyLeaf (a new file's catalog)", () => {
  it('gives the bytes of an empty node encoded by the tree layer', () => {
    for (const pageSize of [1024, 4096, 65536]) {
      const viaTree = encodeNode(Node.emptyLeaf(), 2, 1, Buffer.alloc(pageSize, 0xaa))
      expect(encodeEmptyLeaf(2, 1, pageSize).equals(viaTree)).to.equal(true)
    }
  })
})
