import { type SpawnSyncReturns, spawnSync } from 'node:child_process'

/**
 * Runs `code` as an ES module in a child Node process with V8 `flags` (natives syntax, traces,
 * `--expose-gc`), which the tests' own process does not have; its output as text.
 */
export function runModule(flags: readonly string[], code: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [...flags, '--input-type=module', '-e', code], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
}
