import { expect } from 'chai'
import { MemoryFile } from '../../../src/io/memory-file.js'
import { JournalOp, RECORD_HEADER, encodeRecord } from '../../../src/page/journal-record.js'
import { scanJournals } from '../../../src/store/journal.js'

const b = (s: string): Buffer => Buffer.from(s)

/** A journal file of one-put records (base, txid) and a terminator. */
function journalFile(records: Array<[number, number]>, tail?: Buffer): MemoryFile {
  const parts = records.map(([base, txid]) =>
    encodeRecord(
      {
        kinds: [JournalOp.select, JournalOp.put],
        names: [b('a'), undefined],
        keys: [undefined, b(`k${txid}`)],
        values: [undefined, b('v')],
      },
      2,
      base,
      txid,
    ),
  )
  return new MemoryFile(Buffer.concat([...parts, tail ?? Buffer.alloc(RECORD_HEADER)]))
}

describe('store/scanJournals (FORMAT.md §11: the journal in two files)', () => {
  it('replays the file that follows the opened checkpoint, then the other when it follows a later checkpoint above every record', () => {
    const parts = scanJournals(
      [
        journalFile([
          [5, 6],
          [5, 7],
        ]),
        journalFile([
          [9, 10],
          [9, 11],
        ]),
      ],
      5,
    )
    expect(parts.map((p) => [p.file, p.base, p.scan.records.map((r) => r.txid)])).to.deep.equal([
      [0, 5, [6, 7]],
      [1, 9, [10, 11]],
    ])
    // The same, the other way round: the second file holds the opened checkpoint's records.
    const swapped = scanJournals(
      [
        journalFile([[9, 10]]),
        journalFile([
          [5, 6],
          [5, 7],
        ]),
      ],
      5,
    )
    expect(swapped.map((p) => [p.file, p.base])).to.deep.equal([
      [1, 5],
      [0, 9],
    ])
  })

  it('ignores a file of an older checkpoint, and one whose base is not above the records before it', () => {
    expect(scanJournals([journalFile([[9, 10]]), journalFile([[5, 6]])], 9)).to.have.length(1)
    expect(
      scanJournals(
        [
          journalFile([
            [5, 6],
            [5, 8],
          ]),
          journalFile([[7, 9]]),
        ],
        5,
      ),
    ).to.have.length(1)
  })

  it('reports the second file, unreplayed, when the first ends at a damaged record', () => {
    const torn = encodeRecord(
      { kinds: [JournalOp.create], names: [b('x')], keys: [undefined], values: [undefined] },
      1,
      5,
      8,
    )
    torn[torn.length - 1]! ^= 0xff
    const parts = scanJournals(
      [
        journalFile(
          [
            [5, 6],
            [5, 7],
          ],
          torn,
        ),
        journalFile([[9, 10]]),
      ],
      5,
    )
    expect(parts[0]!.scan.records).to.have.length(2)
    expect(parts[0]!.scan.stopped).to.be.a('string')
    expect(parts[1]!.scan.records).to.deep.equal([])
    expect(parts[1]!.scan.stopped).to.match(/records following checkpoint 9 ignored/)
  })
})
