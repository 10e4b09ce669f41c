/**
 * Cross-package: what each package's tarball holds (`npm pack --dry-run`), read as a user's
 * `npm install` gets it: its entry points and type declarations, its README and LICENSE, every
 * relative import of its shipped modules, every bare import declared as a dependency, every source
 * map's sources, and nothing of its tests or benchmarks.
 */
import { expect } from 'chai'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import { builtinModules } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

interface Manifest {
  name: string
  main?: string
  bin?: Record<string, string>
  exports?: Record<string, { types?: string; import?: string }>
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
}

/** The files `npm pack` would put in the package's tarball, as paths relative to the package. */
function packedFiles(dir: string): Set<string> {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const [pack] = JSON.parse(out) as Array<{ files: Array<{ path: string }> }>
  return new Set(pack!.files.map((f) => f.path))
}

/** The module specifiers a shipped ES module imports, statically or dynamically with a literal. */
function importsOf(source: string): string[] {
  const specs: string[] = []
  // Statements at the start of a line, as tsc emits them (a string that happens to hold `from '`
  // is not one); dynamic imports of a literal anywhere.
  const patterns = [
    /^(?:import\s|export\s*[*{])[^;'"]*?\sfrom\s+'([^']+)'/gm,
    /^import\s+'([^']+)'/gm,
    /\bimport\(\s*'([^']+)'\s*\)/g,
  ]
  for (const re of patterns) for (const m of source.matchAll(re)) specs.push(m[1]!)
  return specs
}

/** `name` of a bare specifier (`kysely`, `@scope/pkg`, without a subpath). */
function packageName(spec: string): string {
  const parts = spec.split('/')
  return spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!
}

const PACKAGES = ['engine', 'abstract-level-btree', 'kysely-dialect']

describe('package tarballs', function () {
  this.timeout(120_000)
  for (const name of PACKAGES) {
    describe(`packages/${name}`, () => {
      const dir = path.join(root, 'packages', name)
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest
      let files: Set<string>
      before(() => {
        files = packedFiles(dir)
      })

      it('ships its package.json, README.md and LICENSE (MIT)', () => {
        for (const f of ['package.json', 'README.md', 'LICENSE']) expect(files.has(f), f).to.equal(true)
        expect(fs.readFileSync(path.join(dir, 'LICENSE'), 'utf8')).to.match(/MIT License/)
      })

      it('ships every entry point its manifest names', () => {
        const entries: string[] = []
        if (manifest.main !== undefined) entries.push(manifest.main)
        for (const target of Object.values(manifest.exports ?? {})) {
          if (target.import !== undefined) entries.push(target.import)
          if (target.types !== undefined) entries.push(target.types)
        }
        for (const bin of Object.values(manifest.bin ?? {})) entries.push(bin)
        expect(entries.length).to.be.greaterThan(0)
        for (const e of entries) expect(files.has(path.posix.normalize(e)), e).to.equal(true)
      })

      it('ships nothing of its tests or benchmarks', () => {
        const stray = [...files].filter((f) => /(^|\/)(test|bench)\//.test(f) || /\.test\.(js|ts)$/.test(f))
        expect(stray).to.deep.equal([])
      })

      it("resolves every shipped module's imports: relative ones in the tarball, bare ones in its dependencies", () => {
        const declared = new Set([
          ...Object.keys(manifest.dependencies ?? {}),
          ...Object.keys(manifest.peerDependencies ?? {}),
        ])
        const builtins = new Set(builtinModules)
        const problems: string[] = []
        let modules = 0
        let relative = 0
        for (const f of files) {
          if (!f.endsWith('.js')) continue
          modules++
          for (const spec of importsOf(fs.readFileSync(path.join(dir, f), 'utf8'))) {
            if (spec.startsWith('.')) {
              relative++
              const target = path.posix.join(path.posix.dirname(f), spec)
              if (!files.has(target)) problems.push(`${f}: ${spec} is not in the tarball`)
            } else if (spec.startsWith('node:') || builtins.has(spec)) {
              continue
            } else if (!declared.has(packageName(spec))) {
              problems.push(`${f}: ${spec} is not a dependency`)
            }
          }
        }
        expect(modules).to.be.greaterThan(0)
        expect(relative).to.be.greaterThan(modules / 2)
        expect(problems).to.deep.equal([])
      })

      it('ships the sources every source map names (stack traces and debuggers find them)', () => {
        const problems: string[] = []
        let maps = 0
        for (const f of files) {
          if (!f.endsWith('.map')) continue
          maps++
          const map = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as {
            sources: string[]
            sourceRoot?: string
          }
          for (const s of map.sources) {
            const target = path.posix.join(path.posix.dirname(f), map.sourceRoot ?? '', s)
            if (!files.has(target)) problems.push(`${f}: ${s}`)
          }
        }
        expect(maps).to.be.greaterThan(0)
        expect(problems.slice(0, 5)).to.deep.equal([])
      })
    })
  }
})
