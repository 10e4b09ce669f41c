import fs from 'node:fs'
import readline from 'node:readline'
import type { Database } from '../../db/database.js'
import type { WriteBucket, WriteTransaction } from '../../base/types.js'
import { integerOption } from '../args.js'
import { type Encoding, decodeField, encodingOption } from '../bytes.js'
import { CliError, EXIT_OK, EXIT_USAGE } from '../cli-error.js'
import { type Command, using } from '../command.js'
import { isHeader } from '../dump-format.js'
import { journalPaths } from '../../store/journal.js'
import { openForWrite } from '../open-db.js'
import { Progress } from '../progress.js'

/** A commit every this many entries or bytes keeps memory bounded and commits few. */
const BATCH_ENTRIES = 10_000
const BATCH_BYTES = 16 * 1024 * 1024

export const loadCommand: Command = {
  synopsis: 'load FILE [--page-size B] < dump.jsonl',
  summary: 'read `dump` output from stdin into FILE (created when missing), creating buckets as needed',
  details: 'Commits every 10,000 entries or 16 MiB; the last commit is synced. Existing keys are replaced.',
  arity: [1, 1],
  options: ['page-size', 'hex', 'base64', 'utf8'],
  async run({ args, options, out }) {
    const path = args[0]!
    const pageSize = options['page-size'] === undefined ? undefined : integerOption(options, 'page-size', 4096, 1024)
    const encoding = encodingOption(options, 'hex')
    const created = !fs.existsSync(path)
    const db = await openForWrite(path, { pageSize })
    const loader = new Loader(db)
    let result: LoadResult
    try {
      result = await using(db, () => loadLines(loader, path, encoding))
    } catch (err) {
      // A load that made the file and committed nothing to it leaves no empty database behind.
      if (created && loader.commits === 0) removeDatabase(path)
      throw err
    }
    if (out.json) await out.document({ file: path, ...result })
    else
      await out.line(
        `loaded ${result.entries} entries into ${result.buckets} buckets of ${path} in ${result.commits} commits`,
      )
    return EXIT_OK
  },
}

interface LoadResult {
  entries: number
  buckets: number
  commits: number
}

/** Batches of puts, each a write transaction; a bad line rolls back only the batch it is in. */
class Loader {
  readonly #db: Database
  #tx: WriteTransaction | undefined
  #buckets = new Map<string, WriteBucket>()
  #batchEntries = 0
  #batchBytes = 0
  readonly seen = new Set<string>()
  entries = 0
  commits = 0

  constructor(db: Database) {
    this.#db = db
  }

  async put(name: string, key: Buffer | undefined, value: Buffer | undefined): Promise<void> {
    const tx = this.#tx ?? (this.#tx = await this.#db.beginWrite())
    let bucket = this.#buckets.get(name)
    if (bucket === undefined) {
      bucket = tx.createBucketIfNotExists(name)
      this.#buckets.set(name, bucket)
      this.seen.add(name)
    }
    if (key === undefined || value === undefined) return
    bucket.put(key, value)
    this.entries++
    this.#batchEntries++
    this.#batchBytes += key.length + value.length
    if (this.#batchEntries >= BATCH_ENTRIES || this.#batchBytes >= BATCH_BYTES) await this.commit('none')
  }

  async commit(durability: 'none' | 'full'): Promise<void> {
    const tx = this.#tx
    if (tx === undefined) return
    this.#tx = undefined
    this.#buckets.clear()
    this.#batchEntries = 0
    this.#batchBytes = 0
    await tx.commit({ durability })
    this.commits++
  }

  rollback(): void {
    this.#tx?.rollback()
    this.#tx = undefined
  }
}

async function loadLines(loader: Loader, path: string, fallback: Encoding): Promise<LoadResult> {
  const progress = inputProgress(path)
  let encoding = fallback
  let lineNo = 0
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
  try {
    for await (const text of lines) {
      lineNo++
      progress.tick(Buffer.byteLength(text) + 1)
      if (text.trim() === '') continue
      const line = parseLine(text, lineNo)
      if (isHeader(line)) {
        encoding = headerEncoding(line, lineNo)
        continue
      }
      if (typeof line.bucket !== 'string') throw badLine(lineNo, 'needs a "bucket" string')
      const hasKey = 'key' in line
      if (hasKey !== 'value' in line) throw badLine(lineNo, 'needs both "key" and "value", or neither')
      let key: Buffer | undefined
      let value: Buffer | undefined
      try {
        key = hasKey ? decodeField(line.key, encoding, 'key') : undefined
        value = hasKey ? decodeField(line.value, encoding, 'value') : undefined
        await loader.put(line.bucket, key, value)
      } catch (err) {
        if (err instanceof CliError) throw err
        throw badLine(lineNo, (err as Error).message)
      }
    }
    await loader.commit('full')
  } catch (err) {
    loader.rollback()
    if (err instanceof CliError && loader.commits > 0) {
      throw new CliError(`${err.message} (${loader.commits} earlier batches were committed)`, err.exitCode)
    }
    throw err
  } finally {
    lines.close()
    progress.done()
  }
  return { entries: loader.entries, buckets: loader.seen.size, commits: loader.commits }
}

function parseLine(text: string, lineNo: number): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw badLine(lineNo, 'is not JSON')
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badLine(lineNo, 'is not a JSON object')
  return value as Record<string, unknown>
}

function headerEncoding(line: Record<string, unknown>, lineNo: number): Encoding {
  const e = line.encoding
  if (e === 'hex' || e === 'base64' || e === 'utf8') return e
  throw badLine(lineNo, `header names an unknown encoding ${JSON.stringify(e)}`)
}

function badLine(lineNo: number, what: string): CliError {
  return new CliError(`stdin line ${lineNo}: ${what}`, EXIT_USAGE)
}

/** Progress by bytes when stdin is a file (its size is known), by lines read otherwise. */
function inputProgress(path: string): Progress {
  let total = 0
  try {
    const stat = fs.fstatSync(0)
    if (stat.isFile()) total = stat.size
  } catch {
    // No size: the bar shows a count instead.
  }
  return new Progress(`loading ${path}`, total, { unit: 'bytes' })
}

/**
 * The database file and its journals (FORMAT.md §11), which a failed load created. Best effort: the
 * load's own error is the one reported.
 */
function removeDatabase(path: string): void {
  for (const file of [path, ...journalPaths(path)]) {
    try {
      fs.rmSync(file, { force: true })
    } catch {
      // Left in place; the load's error says why it failed.
    }
  }
}
