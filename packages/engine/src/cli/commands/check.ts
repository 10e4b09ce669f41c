import { open } from '../../db/database.js'
import { BTreeError } from '../../base/errors.js'
import type { CheckProblem, CheckResult, Info } from '../../base/types.js'
import { EXIT_FAILURE, EXIT_OK } from '../cli-error.js'
import { type Command, using } from '../command.js'
import { assertReadableFile, openFailure } from '../open-db.js'
import type { Output } from '../output.js'
import { Progress } from '../progress.js'

export const checkCommand: Command = {
  synopsis: 'check FILE',
  summary: 'verify every page and invariant; exit 0 clean, 1 problems found, 2 unreadable',
  details: 'Opens read-only, so it works on a file another process is writing.',
  arity: [1, 1],
  options: [],
  async run({ args, out }) {
    const path = args[0]!
    assertReadableFile(path)
    let db
    try {
      db = await open(path, { readOnly: true })
    } catch (err) {
      // A file whose metas both fail is still recognisably a database: that is a problem found (1),
      // not an unreadable file (2).
      if (err instanceof BTreeError && err.code === 'BTREE_CORRUPTION') {
        await report(out, path, { pageId: err.pageId, message: err.message })
        return EXIT_FAILURE
      }
      throw openFailure(path, err)
    }
    const result = await using(db, (d) => {
      const progress = new Progress(`checking ${path}`, d.info().highWater)
      progress.tick(0)
      try {
        const r = d.check()
        const skipped = rejectedCommits(d.info())
        return skipped.length === 0 ? r : { ...r, ok: false, errors: [...skipped, ...r.errors] }
      } finally {
        progress.done()
      }
    })
    if (out.json) {
      await out.document({ file: path, ...result })
    } else {
      for (const e of result.errors) await out.line(e.message)
      // A skipped newest commit is already an error above (rejectedCommits); a journal tail that
      // failed its checksum is a warning: with durability 'none' a crash leaves one by design.
      for (const w of result.warnings) if (w.message.startsWith('journal:')) await out.line(`warning: ${w.message}`)
      await out.line(summary(result))
    }
    return result.ok ? EXIT_OK : EXIT_FAILURE
  },
}

async function report(out: Output, path: string, problem: CheckProblem): Promise<void> {
  if (out.json) {
    await out.document({ file: path, ok: false, errors: [problem], pages: null })
    return
  }
  await out.line(
    problem.pageId === undefined || problem.message.startsWith('page ')
      ? problem.message
      : `page ${problem.pageId}: ${problem.message}`,
  )
  await out.line('1 problem found; the database cannot be opened')
}

/**
 * Open falls back to the older meta when the newest commit's pages fail verification (FORMAT.md
 * §8), and the engine's check then sees only the older, consistent commit. A torn commit after a
 * crash and a page corrupted since look the same on disk; either way a commit on disk was lost,
 * which a check must not call clean.
 */
function rejectedCommits(info: Info): CheckProblem[] {
  return info.metas
    .filter((m) => m.slot !== info.activeMeta && m.valid && m.problem !== undefined && m.txid > info.txid)
    .map((m) => {
      const page = /page (\d+):/.exec(m.problem!)
      const pageId = page === null ? m.slot : Number(page[1])
      const detail = page === null ? m.problem! : m.problem!.slice(m.problem!.indexOf(page[0]))
      return {
        pageId,
        message: `${detail.startsWith('page ') ? '' : `page ${pageId}: `}${detail} (the newest commit, txid ${m.txid} in meta ${m.slot}, fails verification; the file opens at txid ${info.txid})`,
      }
    })
}

function summary(r: CheckResult): string {
  const p = r.pages
  const counts = `${p.total} pages: ${p.reachable} reachable, ${p.free} free, ${p.pending} pending, ${p.reclaiming} reclaiming`
  if (r.ok) return `ok: ${counts}`
  return `${r.errors.length} problem${r.errors.length === 1 ? '' : 's'} found; ${counts}`
}
