import { readFileSync } from 'node:fs'

/**
 * `node dist/bench/profile-top.js FILE.cpuprofile [N]`: the N functions with the most self time,
 * with their share of the profile, as BENCHMARK.md reports them.
 */
interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}
interface ProfileNode {
  id: number
  callFrame: CallFrame
}
interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

/** The in-process profiler's own `Profiler.stop` (serializing the profile) is sampled too: not the workload's time. */
function isProfilerItself(frame: CallFrame): boolean {
  return frame.functionName === 'dispatch' && frame.url === ''
}

export function topFunctions(profile: CpuProfile, count: number): Array<{ name: string; ms: number; share: number }> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<string, number>()
  let total = 0
  for (let i = 0; i < profile.samples.length; i++) {
    const frame = byId.get(profile.samples[i]!)!.callFrame
    if (isProfilerItself(frame)) continue
    const where =
      frame.url === ''
        ? ''
        : ` ${frame.url.replace(/^.*\/(packages|node_modules)\//, '').replace(/^file:\/\//, '')}:${frame.lineNumber + 1}`
    const name = `${frame.functionName === '' ? '(anonymous)' : frame.functionName}${where}`
    const dt = profile.timeDeltas[i] ?? 0
    self.set(name, (self.get(name) ?? 0) + dt)
    total += dt
  }
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => ({ name, ms: us / 1000, share: us / total }))
}

/** Self time by layer: Kysely (build + compile), the dialect, the engine, Node's own code, GC, idle. */
export function layers(profile: CpuProfile): Array<{ layer: string; ms: number; share: number }> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const sums = new Map<string, number>()
  let total = 0
  for (let i = 0; i < profile.samples.length; i++) {
    const frame = byId.get(profile.samples[i]!)!.callFrame
    if (isProfilerItself(frame)) continue
    const { url, functionName } = frame
    const layer = url.includes('/node_modules/kysely')
      ? 'kysely'
      : url.includes('/kysely-dialect/dist/src/')
        ? 'dialect'
        : url.includes('/engine/dist/src/')
          ? 'engine'
          : url.includes('/kysely-dialect/dist/bench/')
            ? 'bench'
            : functionName === '(garbage collector)' || functionName === '(idle)' || functionName === '(program)'
              ? functionName
              : 'node and native'
    const dt = profile.timeDeltas[i] ?? 0
    sums.set(layer, (sums.get(layer) ?? 0) + dt)
    total += dt
  }
  return [...sums].sort((a, b) => b[1] - a[1]).map(([layer, us]) => ({ layer, ms: us / 1000, share: us / total }))
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  const [file, count = '10'] = process.argv.slice(2)
  if (file === undefined) throw new RangeError('usage: profile-top.js FILE.cpuprofile [N]')
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  console.log('| self time | share | function |\n| ---: | ---: | --- |')
  for (const f of topFunctions(profile, Number(count)))
    console.log(`| ${f.ms.toFixed(0)} ms | ${(f.share * 100).toFixed(1)}% | \`${f.name}\` |`)
  console.log('\n| layer (self time) | ms | share |\n| --- | ---: | ---: |')
  for (const l of layers(profile)) console.log(`| ${l.layer} | ${l.ms.toFixed(0)} | ${(l.share * 100).toFixed(1)}% |`)
}
