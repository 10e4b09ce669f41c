import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'

/**
 * Imports point down: the folders of src/ are layers in the order below, and a module imports only
 * from its own folder or a lower layer (type-only imports included, since they tie the modules'
 * meaning together all the same). No module is part of an import cycle either, inside a folder
 * too. Reads the TypeScript sources, so it runs from dist/test as well.
 */
const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src')

type Graph = Map<string, Set<string>>

/**
 * The layers of src/, bottom first; folders on one line are peers that must not import each other.
 * io/ (the file interface) depends on nothing; base/ holds errors, the public types and argument
 * checks; page/ the codecs (bytes <-> records, no I/O); freelist/ and store/ the free pages and the
 * file (pager, cache, journal, open); tree/ the B+tree over pages and nodes; bucket/ and tx/ the
 * API's objects; inspect/ check() and stats(); db/ the Database and the owner of its commits;
 * compat/ and cli/ use the public API; index.ts publishes it.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['io/'],
  ['base/'],
  ['page/'],
  ['freelist/', 'store/'],
  ['tree/'],
  ['bucket/'],
  ['tx/'],
  ['inspect/'],
  ['db/'],
  ['compat/'],
  ['cli/'],
  ['index.ts'],
]

/** Imports that point up or sideways between layers: "from -> to" for each offending module edge. */
export function upwardImports(g: Graph, layers: readonly (readonly string[])[] = LAYERS): string[] {
  const rank = new Map<string, number>()
  layers.forEach((names, i) => names.forEach((n) => rank.set(n, i)))
  const out: string[] = []
  for (const [from, deps] of g) {
    const a = layer(from)
    for (const d of deps) {
      const b = layer(d)
      if (a === b) continue
      const ra = rank.get(a)
      const rb = rank.get(b)
      if (ra === undefined || rb === undefined || rb >= ra) out.push(`${from} -> ${d}`)
    }
  }
  return out.sort()
}

const IMPORT = /^\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?'(\.{1,2}\/[^']+)'/gm

function sourceFiles(dir: string): string[] {
  const out: string[] = []
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) out.push(...sourceFiles(p))
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p)
  }
  return out
}

/** Module graph of src/: relative path -> relative paths it imports. */
export function moduleGraph(root: string): Graph {
  const g: Graph = new Map()
  for (const file of sourceFiles(root)) {
    const from = path.relative(root, file)
    const deps = new Set<string>()
    for (const m of fs.readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = path.relative(root, path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, '.ts')))
      if (!target.startsWith('..')) deps.add(target)
    }
    g.set(from, deps)
  }
  return g
}

/** The folder (or, for a file at the root, the file) a module belongs to. */
function layer(module: string): string {
  const parts = module.split(path.sep)
  return parts.length > 1 ? `${parts[0]}/` : parts[0]!
}

export function folderGraph(g: Graph): Graph {
  const f: Graph = new Map()
  for (const [from, deps] of g) {
    const a = layer(from)
    if (!f.has(a)) f.set(a, new Set())
    for (const d of deps) if (layer(d) !== a) f.get(a)!.add(layer(d))
  }
  return f
}

/** Every strongly connected component of more than one node (Tarjan), each sorted. */
export function cycles(g: Graph): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const out: string[][] = []
  let next = 0
  const visit = (v: string): void => {
    index.set(v, next)
    low.set(v, next++)
    stack.push(v)
    onStack.add(v)
    for (const w of g.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = []
      let w: string
      do {
        w = stack.pop()!
        onStack.delete(w)
        comp.push(w)
      } while (w !== v)
      if (comp.length > 1) out.push(comp.sort())
    }
  }
  for (const v of [...g.keys()].sort()) if (!index.has(v)) visit(v)
  return out
}

/** The edges inside one cycle, to say which imports make it. */
function edgesWithin(g: Graph, comp: string[]): string[] {
  const inside = new Set(comp)
  const out: string[] = []
  for (const v of comp) for (const w of g.get(v) ?? []) if (inside.has(w)) out.push(`${v} -> ${w}`)
  return out
}

describe('architecture: imports point down', () => {
  it('finds a cycle when there is one (the check can fail)', () => {
    const g: Graph = new Map([
      ['a.ts', new Set(['b/x.ts'])],
      ['b/x.ts', new Set(['c/y.ts'])],
      ['c/y.ts', new Set(['b/z.ts'])],
      ['b/z.ts', new Set<string>()],
    ])
    expect(cycles(g)).to.deep.equal([])
    expect(cycles(folderGraph(g))).to.deep.equal([['b/', 'c/']])
    g.get('b/z.ts')!.add('a.ts')
    expect(cycles(g)).to.deep.equal([['a.ts', 'b/x.ts', 'b/z.ts', 'c/y.ts']])
  })

  it('finds an import that points up the layers (the check can fail)', () => {
    const g: Graph = new Map([
      ['index.ts', new Set(['db/x.ts'])],
      ['db/x.ts', new Set(['page/p.ts', 'db/y.ts'])],
      ['db/y.ts', new Set<string>()],
      ['page/p.ts', new Set(['base/e.ts'])],
      ['base/e.ts', new Set<string>()],
      ['store/s.ts', new Set(['freelist/f.ts'])],
      ['freelist/f.ts', new Set<string>()],
    ])
    expect(upwardImports(g)).to.deep.equal(['store/s.ts -> freelist/f.ts'])
    g.get('page/p.ts')!.add('tree/t.ts')
    g.set('tree/t.ts', new Set())
    g.set('misc/m.ts', new Set())
    g.get('base/e.ts')!.add('misc/m.ts')
    expect(upwardImports(g)).to.deep.equal([
      'base/e.ts -> misc/m.ts',
      'page/p.ts -> tree/t.ts',
      'store/s.ts -> freelist/f.ts',
    ])
  })

  it('reads the imports of src/ (sanity: the graph is the real one)', () => {
    const g = moduleGraph(SRC)
    expect(g.size).to.be.above(40)
    expect([...g.get(path.join('db', 'database.ts'))!]).to.include(path.join('tx', 'write-tx.ts'))
    expect([...g.get(path.join('tx', 'read-tx.ts'))!]).to.include(path.join('tx', 'tx-context.ts'))
  })

  it('every folder of src/ has its place in the layer order, and src/ holds no file but index.ts', () => {
    const placed = new Set(LAYERS.flat())
    const found = new Set([...moduleGraph(SRC).keys()].map(layer))
    expect([...found].filter((l) => !placed.has(l)).sort(), 'folders missing from LAYERS').to.deep.equal([])
  })

  it('every import of src/ points down the layers', () => {
    expect(upwardImports(moduleGraph(SRC)), 'imports pointing up').to.deep.equal([])
  })

  it('no module of src/ is part of an import cycle', () => {
    const g = moduleGraph(SRC)
    const found = cycles(g)
    expect(
      found.map((c) => edgesWithin(g, c)),
      'import cycles',
    ).to.deep.equal([])
  })

  it('no two folders of src/ import each other, directly or around a loop', () => {
    const f = folderGraph(moduleGraph(SRC))
    const found = cycles(f)
    expect(
      found.map((c) => edgesWithin(f, c)),
      'folder cycles',
    ).to.deep.equal([])
  })

  it('the test doubles (fault-injecting and power-loss files) are not in src/', () => {
    const names = sourceFiles(SRC).map((f) => path.basename(f))
    expect(names).to.not.include('fault-file.ts')
    expect(names).to.not.include('power-loss-file.ts')
  })
})
