import type { OperationNode } from 'kysely'
import { rawText } from './expression/nodes.js'

/**
 * `vacuum [main] into 'file'` (SQLite's VACUUM INTO: a packed copy of the database written to a
 * new file, the engine's compact()), and plain `vacuum`, which rebuilds the file in place
 * (rebuild-file.ts). The file name is a string literal.
 */
export type Vacuum = { readonly into: string | undefined }

const VACUUM = /^vacuum(?:\s+main)?(?:\s+into\s+'((?:[^']|'')*)')?$/i

/** The VACUUM statement a raw node is, if it is one. */
export function matchVacuum(node: OperationNode): Vacuum | undefined {
  const text = rawText(node)
  if (text === undefined) return undefined
  const m = VACUUM.exec(text.trim().replace(/;$/, '').trim())
  if (m === null) return undefined
  return { into: m[1]?.replace(/''/g, "'") }
}
