import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { runInNewContext } from 'node:vm'
import v8 from 'node:v8'

export type EngineName = 'btree-store' | 'lmdb-js'

/** One printed JSON line. Extra fields describe the measurement (bytes, ratios, memory). */
export interface Measurement {
  workload: string
  engine: EngineName
  ops: number
  seconds: number
  opsPerSec: number
  [extra: string]: unknown
}

/** Times `fn` with the monotonic clock; `ops` is what the rate counts (entries, lookups, scans). */
export async function measure(
  workload: string,
  engine: EngineName,
  ops: number,
  fn: () => unknown,
  extra: Record<string, unknown> = {},
): Promise<Measurement> {
  const start = process.hrtime.bigint()
  await fn()
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  return { workload, engine, ops, seconds, opsPerSec: seconds > 0 ? ops / seconds : Infinity, ...extra }
}

/** Times one awaited call, in seconds. */
export async function time(fn: () => unknown): Promise<number> {
  const start = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - start) / 1e9
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

export function memoryNow(): Record<string, number> {
  const m = process.memoryUsage()
  // maxRSS is the process's peak so far (KiB): the dataset and every engine run before count in it.
  const peak = process.resourceUsage().maxRSS * 1024
  return {
    rssMiB: mib(m.rss),
    peakRssMiB: mib(peak),
    heapUsedMiB: mib(m.heapUsed),
    externalMiB: mib(m.external),
    arrayBuffersMiB: mib(m.arrayBuffers),
  }
}

/**
 * Bytes this process has passed to write(2)-family calls so far (`wchar` in /proc/self/io), or
 * undefined off Linux. It sees lmdb-js's writes, which no JS file layer does, and stdout's few bytes.
 */
export function processWrittenBytes(): number | undefined {
  try {
    const m = /^wchar: (\d+)$/m.exec(fs.readFileSync('/proc/self/io', 'latin1'))
    return m === null ? undefined : Number(m[1])
  } catch {
    return undefined
  }
}

function mib(bytes: number): number {
  return Math.round((bytes / 1048576) * 10) / 10
}

/** Apparent size and allocated blocks of the files at `paths` (missing ones count zero). */
export function diskUsage(paths: string[]): { bytes: number; allocatedBytes: number } {
  let bytes = 0
  let allocatedBytes = 0
  for (const p of paths) {
    try {
      const st = fs.statSync(p)
      bytes += st.size
      allocatedBytes += st.blocks * 512
    } catch {
      // Not created by this engine.
    }
  }
  return { bytes, allocatedBytes }
}

export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `btree-bench-${label}-`))
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true })
}

/** Keeps `width` calls of `fn` outstanding until `total` have completed. */
export async function inFlight(total: number, width: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < total) await fn(next++)
  }
  await Promise.all(Array.from({ length: Math.min(width, total) }, worker))
}
