import { expect } from 'chai'
import { CompiledQuery, IdentifierNode, RawNode } from 'kysely'
import { transactionCommand } from '../../src/transaction-command.js'

describe('transaction-command', () => {
  it('recognises the commands Kysely sends and their SQLite spellings', () => {
    const raw = (s: string) => transactionCommand(CompiledQuery.raw(s).query)
    expect(raw('begin')).to.deep.equal({ kind: 'begin' })
    expect(raw('BEGIN IMMEDIATE TRANSACTION')).to.deep.equal({ kind: 'begin' })
    expect(raw('commit')).to.deep.equal({ kind: 'commit' })
    expect(raw('end transaction;')).to.deep.equal({ kind: 'commit' })
    expect(raw('rollback')).to.deep.equal({ kind: 'rollback' })
    expect(raw('savepoint sp_1')).to.deep.equal({ kind: 'savepoint', name: 'sp_1' })
    expect(raw('rollback transaction to savepoint "a ""b"""')).to.deep.equal({ kind: 'rollback to', name: 'a "b"' })
    expect(raw('release savepoint x')).to.deep.equal({ kind: 'release', name: 'x' })
    const node = RawNode.createWithChildren([RawNode.createWithSql('rollback to '), IdentifierNode.create('my sp')])
    expect(transactionCommand(node)).to.deep.equal({ kind: 'rollback to', name: 'my sp' })
  })

  it('anything else is BTREE_SQL_UNSUPPORTED with its text', () => {
    for (const text of ['select 1', 'vacuum', 'rollback to', 'begin; drop table x']) {
      let code: string | undefined
      let message = ''
      try {
        transactionCommand(CompiledQuery.raw(text).query)
      } catch (err) {
        code = (err as { code?: string }).code
        message = (err as Error).message
      }
      expect(code).to.equal('BTREE_SQL_UNSUPPORTED')
      expect(message).to.contain(text)
    }
  })
})
