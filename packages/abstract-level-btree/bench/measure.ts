import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { runInNewContext } from 'node:vm'
import v8 from 'node:v8'

export const STORES = ['btree-level', 'classic-level', 'memory-level'] as const
export type StoreName = (typeof STORES)[number]

/** One printed JSON line. Extra fields describe the measurement (bytes, milliseconds, memory). */
export interface Measurement {
  workload: string
  store: StoreName
  ops: number
  seconds: number
  opsPerSec: number
  [extra: string]: unknown
}

/** Times `fn` with the monotonic clock; `ops` is what the rate counts (entries, lookups, scans). */
export async function measure(
  workload: string,
  store: StoreName,
  ops: number,
  fn: () => Promise<unknown>,
  extra: Record<string, unknown> = {},
): Promise<Measurement> {
  const start = process.hrtime.bigint()
  await fn()
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  return { workload, store, ops, seconds, opsPerSec: seconds > 0 ? ops / seconds : Infinity, ...extra }
}

let gcFn: (() => void) | undefined | null = null

/**
 * A full collection between workloads so one workload's garbage is not collected on the next
 * one's clock. Without --expose-gc the flag is switched on at run time; a fresh context then
 * exposes `gc`.
 */
export function collectGarbage(): void {
  if (gcFn === null) {
    const g = (globalThis as { gc?: () => void }).gc
    if (typeof g === 'function') gcFn = g
    else {
      try {
        v8.setFlagsFromString('--expose-gc')
        gcFn = runInNewContext('gc') as () => void
      } catch {
        gcFn = undefined
      }
    }
  }
  gcFn?.()
}

/** Apparent size and allocated blocks of everything under `root` (a file or a directory). */
export function diskUsage(root: string): { bytes: number; allocatedBytes: number; files: number } {
  let bytes = 0
  let allocatedBytes = 0
  let files = 0
  const visit = (p: string): void => {
    let st: fs.Stats
    try {
      st = fs.statSync(p)
    } catch {
      return
    }
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(p)) visit(path.join(p, name))
      return
    }
    bytes += st.size
    allocatedBytes += st.blocks * 512
    files++
  }
  visit(root)
  return { bytes, allocatedBytes, files }
}

/** Peak resident set size of this process so far, in bytes (the kernel's high-water mark). */
export function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024
}

export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `btree-level-bench-${label}-`))
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true })
}

export function mib(bytes: number): number {
  return Math.round((bytes / 1048576) * 10) / 10
}
