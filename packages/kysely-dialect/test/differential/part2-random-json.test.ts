import { compareCase } from '../helpers/differential.js'
import { prng } from '../helpers/random-queries.js'
import { kysely028Api } from '../helpers/kysely-versions.js'

/**
 * Seeded random JSON documents, paths and values through the json_ and jsonb_ functions, nested in
 * each other (JSONB read back by the json functions, JSON-subtyped results embedded), each result
 * compared with SQLite's: JSONB blobs byte for byte (as hex), texts, SQL values and errors. Paths
 * are mostly ones the document has, so that edits and lookups land. The seed is printed; replay
 * with KYSELY_JSON_SEED=<seed> (KYSELY_JSON_QUERIES sets the count).
 */
const seed = Number(process.env['KYSELY_JSON_SEED'] ?? Math.floor(Math.random() * 2 ** 31))
const queryCount = Number(process.env['KYSELY_JSON_QUERIES'] ?? 300)

type Doc = null | boolean | number | string | Doc[] | { [k: string]: Doc }

const STRINGS = ['', 'a', 'x y', 'q"uote', 'back\\slash', 'line\nbreak', 'tab\t', 'é', '10', '{"not":1}', '[1]']
const NUMBERS = [0, 1, -1, 42, 2.5, -0.125, 1e21, 3e-7, 9007199254740993n, 123456789012]
const LABELS = ['a', 'b', 'k', 'a b', 'x"y', 'n1', 'é']

function makeDoc(r: () => number, depth: number): Doc {
  const roll = r()
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!
  if (depth > 2 || roll < 0.35) {
    const leaf = r()
    if (leaf < 0.15) return null
    if (leaf < 0.3) return r() < 0.5
    if (leaf < 0.6) {
      const n = pick(NUMBERS)
      return typeof n === 'bigint' ? Number(n) : n
    }
    return pick(STRINGS)
  }
  if (roll < 0.65) return Array.from({ length: Math.floor(r() * 4) }, () => makeDoc(r, depth + 1))
  const o: { [k: string]: Doc } = {}
  for (let i = Math.floor(r() * 4); i > 0; i--) o[pick(LABELS)] = makeDoc(r, depth + 1)
  return o
}

/** The document as JSON text; numbers sometimes in other spellings SQLite keeps (1.50, 2E3). */
function text(r: () => number, d: Doc): string {
  if (d === null || typeof d === 'boolean' || typeof d === 'string') return JSON.stringify(d)
  if (typeof d === 'number') {
    if (Number.isInteger(d) && r() < 0.1) return `${d}.0`
    if (r() < 0.1) return d.toExponential().replace('e+', 'E')
    return JSON.stringify(d)
  }
  if (Array.isArray(d)) return `[${d.map((x) => text(r, x)).join(r() < 0.2 ? ', ' : ',')}]`
  return `{${Object.entries(d)
    .map(([k, v]) => `${JSON.stringify(k)}:${text(r, v)}`)
    .join(',')}}`
}

/** Paths into the document (every node's), and a few that it does not have. */
function paths(d: Doc, at = '$', out: string[] = []): string[] {
  out.push(at)
  if (Array.isArray(d)) d.forEach((x, i) => paths(x, `${at}[${i}]`, out))
  else if (d !== null && typeof d === 'object')
    for (const [k, v] of Object.entries(d))
      paths(v, `${at}.${/^[A-Za-z][A-Za-z0-9]*$/.test(k) ? k : JSON.stringify(k)}`, out)
  return out
}

const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`

describe(`differential part 2: random JSON and JSONB (kysely 0.28, seed ${seed}, ${queryCount} queries)`, () => {
  it(`matches SQLite (replay: KYSELY_JSON_SEED=${seed})`, async () => {
    console.log(`    part2-random-json seed ${seed}`)
    await compareCase(kysely028Api, undefined, (db, { sql }) => {
      const r = prng(seed)
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!
      const docText = (): { doc: Doc; sql: string } => {
        const doc = makeDoc(r, 0)
        const t = lit(text(r, doc))
        const roll = r()
        return { doc, sql: roll < 0.4 ? t : roll < 0.7 ? `jsonb(${t})` : `json(${t})` }
      }
      const pathOf = (doc: Doc): string =>
        lit(r() < 0.8 ? pick(paths(doc)) : pick(['$.zz', '$[#]', '$[#-1]', '$[9]', '$.a.b', '$."a b"']))
      const value = (depth: number): string => {
        const roll = r()
        if (roll < 0.2) return String(pick(NUMBERS.filter((n) => typeof n === 'number')))
        if (roll < 0.45) return lit(pick(STRINGS))
        if (roll < 0.55) return 'null'
        const { sql: d } = docText()
        if (depth > 0 || roll < 0.8) return d
        const inner = docText()
        return `json_set(${inner.sql}, ${pathOf(inner.doc)}, ${value(depth + 1)})`
      }
      const expr = (): string => {
        const { doc, sql: d } = docText()
        const p = pathOf(doc)
        const v = value(0)
        const b = docText().sql
        const forms = [
          `hex(jsonb(${d}))`,
          `json(${d})`,
          `hex(jsonb_set(${d}, ${p}, ${v}))`,
          `json_set(${d}, ${p}, ${v})`,
          `hex(jsonb_insert(${d}, ${p}, ${v}))`,
          `json_insert(${d}, ${p}, ${v})`,
          `hex(jsonb_replace(${d}, ${p}, ${v}))`,
          `hex(jsonb_remove(${d}, ${p}))`,
          `json_remove(${d}, ${p})`,
          `json_extract(${d}, ${p})`,
          `hex(jsonb_extract(${d}, ${p}))`,
          `typeof(jsonb_extract(${d}, ${p}))`,
          `${d} -> ${p}`,
          `${d} ->> ${p}`,
          `json_type(${d}, ${p})`,
          `json_array_length(${d}, ${p})`,
          `hex(jsonb_patch(${d}, ${b}))`,
          `json_patch(${d}, ${b})`,
          `hex(jsonb_array(${v}, ${value(0)}))`,
          `json_array(${v}, ${d})`,
          `hex(jsonb_object('k', ${v}, 'l', ${d}))`,
          `json_object('k', ${v})`,
          `json_valid(${d}, ${pick([1, 4, 8, 5, 12, 9])})`,
          `json_quote(${v})`,
          `(select group_concat(id || ':' || fullkey || ':' || type, ',') from json_each(${d}))`,
          `(select group_concat(id || ':' || coalesce(parent, '-') || ':' || path || ':' || coalesce(atom, '*'), ',') from json_tree(${d}))`,
        ]
        return pick(forms)
      }
      // One call a query: an error (SQLite's and this dialect's compared by kind) hides no other.
      return Array.from({ length: queryCount }, () => db.selectNoFrom(sql.raw(expr()).as('r')))
    })
  })
})
