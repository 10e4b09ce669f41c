/**
 * `npm run bench` at a tiny size, so the benchmark cannot rot: every store runs every workload,
 * every measurement is a valid JSON line, and the summary table has a row per workload. The
 * figures themselves are not asserted (nothing timed is).
 */
import { execFile } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect } from 'chai'
import { STORES } from '../bench/measure.js'
import { W } from '../bench/workloads.js'

const run = promisify(execFile)
const RUN_JS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bench', 'run.js')

interface Line {
  workload: string
  store?: string
  ops?: number
  seconds?: number
  opsPerSec?: number
}

describe('npm run bench (smoke, n = 300)', function () {
  it('runs every workload on every store and prints JSON lines and the table', async function () {
    const { stdout } = await run(process.execPath, [RUN_JS, '--n', '300', '--ranges', '20', '--sync-puts', '10'], {
      maxBuffer: 1 << 24,
    })
    const lines = stdout.split('\n').filter((l) => l.startsWith('{'))
    const parsed = lines.map((l) => JSON.parse(l) as Line)
    expect(parsed[0]).to.deep.include({ workload: 'config', n: 300 })

    const measurements = parsed.slice(1)
    for (const m of measurements) {
      expect(STORES as readonly string[]).to.include(m.store)
      expect(m.ops).to.be.a('number')
      expect(m.seconds).to.be.a('number').and.to.be.at.least(0)
    }
    const withDisk = new Set<string>(['btree-level', 'classic-level'])
    for (const store of STORES) {
      const seen = new Set(measurements.filter((m) => m.store === store).map((m) => m.workload))
      for (const workload of Object.values(W)) {
        if (workload === W.disk && !withDisk.has(store)) continue
        expect(seen.has(workload), `${store}: ${workload}`).to.equal(true)
      }
    }

    const table = stdout.slice(stdout.indexOf('| workload'))
    expect(table).to.match(/\| workload +\| btree-level +\| classic-level +\| memory-level +\|/)
    for (const workload of Object.values(W)) expect(table).to.include(`| ${workload}`)
  })

  it('refuses a bad size with a message and a non-zero exit', async function () {
    const error = await run(process.execPath, [RUN_JS, '--n', '0']).then(
      () => undefined,
      (err: unknown) => err as { code: number; stderr: string },
    )
    expect(error?.code).to.equal(1)
    expect(error?.stderr).to.match(/--n must be a positive integer/)
  })
})
