import { Prng } from '../src/io/prng.js'

/** The sizes a benchmark run takes from the command line. */
export interface BenchConfig {
  /** Entries per workload. */
  n: number
  keySize: number
  valueSize: number
  /** Entries per transaction in the batch workloads. */
  batch: number
  seed: number
}

/**
 * Everything a run writes and reads, generated once up front so that no workload times its own
 * input generation and both engines see exactly the same keys, values and orders.
 */
export interface Dataset {
  readonly config: BenchConfig
  /** keys[i] encodes i; byte order equals numeric order. */
  readonly keys: Buffer[]
  /** The value the fills write for keys[i]. */
  readonly values: Buffer[]
  /** The value the overwrite workload writes for keys[i]. */
  readonly values2: Buffer[]
  /** A permutation of 0..n-1 for the random fill. */
  readonly fillOrder: Uint32Array
  /** The order of the random gets. */
  readonly getOrder: Uint32Array
  readonly overwriteOrder: Uint32Array
  readonly deleteOrder: Uint32Array
  /** Indexes of the range scans' start keys, each with at least 100 entries from it when n allows. */
  readonly rangeStarts: Uint32Array
}

export const RANGE_SCANS = 10_000
export const RANGE_LENGTH = 100

/**
 * Zero-padded decimal keys of exactly `keySize` bytes: readable in a hex dump, and sortable
 * bytewise by both engines without a custom comparator.
 */
export function makeKey(i: number, keySize: number): Buffer {
  const digits = String(i)
  if (digits.length > keySize) throw new RangeError(`key size ${keySize} is too small for index ${i}`)
  return Buffer.from(digits.padStart(keySize, '0'), 'latin1')
}

export function makeDataset(config: BenchConfig): Dataset {
  validateConfig(config)
  const { n, keySize, valueSize, seed } = config
  const prng = new Prng(seed)
  const keys = new Array<Buffer>(n)
  for (let i = 0; i < n; i++) keys[i] = makeKey(i, keySize)
  const values = randomValues(prng, n, valueSize)
  const values2 = randomValues(prng, n, valueSize)
  const rangeStarts = new Uint32Array(RANGE_SCANS)
  const span = Math.max(1, n - RANGE_LENGTH + 1)
  for (let i = 0; i < RANGE_SCANS; i++) rangeStarts[i] = prng.int(span)
  return {
    config,
    keys,
    values,
    values2,
    fillOrder: permutation(prng, n),
    getOrder: permutation(prng, n),
    overwriteOrder: permutation(prng, n),
    deleteOrder: permutation(prng, n),
    rangeStarts,
  }
}

export function validateConfig(config: BenchConfig): void {
  for (const name of ['n', 'keySize', 'valueSize', 'batch'] as const) {
    const v = config[name]
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`)
  }
  if (String(config.n - 1).length > config.keySize) {
    throw new RangeError(`key size ${config.keySize} cannot hold ${config.n} distinct decimal keys`)
  }
}

/** One backing buffer sliced per value: n small allocations would dominate the setup time. */
function randomValues(prng: Prng, n: number, size: number): Buffer[] {
  const all = Buffer.allocUnsafe(n * size)
  for (let i = 0; i + 4 <= all.length; i += 4) all.writeUInt32LE(Math.floor(prng.next() * 4294967296), i)
  for (let i = all.length - (all.length % 4); i < all.length; i++) all[i] = prng.int(256)
  const out = new Array<Buffer>(n)
  for (let i = 0; i < n; i++) out[i] = all.subarray(i * size, (i + 1) * size)
  return out
}

function permutation(prng: Prng, n: number): Uint32Array {
  const order = new Uint32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  for (let i = n - 1; i > 0; i--) {
    const j = prng.int(i + 1)
    const t = order[i]!
    order[i] = order[j]!
    order[j] = t
  }
  return order
}
