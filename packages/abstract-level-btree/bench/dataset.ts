/** The sizes a benchmark run takes from the command line. */
export interface BenchConfig {
  /** Entries per workload. */
  n: number
  keySize: number
  valueSize: number
  /** Entries per batch in the batch workloads. */
  batch: number
  /** Range scans of RANGE_LENGTH entries. */
  ranges: number
  /** Single puts with `sync: true`. */
  syncPuts: number
  seed: number
}

/**
 * Everything a run writes and reads, generated up front from the seed so that no workload times
 * its own input generation, and every store (each in its own process) sees exactly the same keys,
 * values and orders.
 */
export interface Dataset {
  readonly config: BenchConfig
  /** keys[i] encodes i; byte order equals numeric order. */
  readonly keys: Buffer[]
  /** The value the fills write for keys[i]. */
  readonly values: Buffer[]
  /** The value the overwrite and the single durable puts write for keys[i]. */
  readonly values2: Buffer[]
  /** A permutation of 0..n-1 for the random fill. */
  readonly fillOrder: Uint32Array
  /** The order of the random gets (the first `gets` of it) and of getMany. */
  readonly getOrder: Uint32Array
  readonly overwriteOrder: Uint32Array
  readonly deleteOrder: Uint32Array
  /** Indexes of the range scans' start keys, each with RANGE_LENGTH entries from it when n allows. */
  readonly rangeStarts: Uint32Array
}

export const RANGE_LENGTH = 100
export const GET_MANY_CHUNK = 100
export const NEXTV_SIZE = 1_000

/**
 * Zero-padded decimal keys of exactly `keySize` bytes: readable in a hex dump, and in byte order
 * for every store without a custom comparator.
 */
export function makeKey(i: number, keySize: number): Buffer {
  const digits = String(i)
  if (digits.length > keySize) throw new RangeError(`key size ${keySize} is too small for index ${i}`)
  return Buffer.from(digits.padStart(keySize, '0'), 'latin1')
}

export function makeDataset(config: BenchConfig): Dataset {
  validateConfig(config)
  const { n, keySize, valueSize, seed } = config
  const random = mulberry32(seed)
  // One backing buffer for all keys, as for the values: n pooled allocations would inflate every
  // store's RSS alike and hide what the store itself costs.
  const keyBytes = Buffer.alloc(n * keySize)
  const keys = new Array<Buffer>(n)
  for (let i = 0; i < n; i++) {
    keys[i] = keyBytes.subarray(i * keySize, (i + 1) * keySize)
    makeKey(i, keySize).copy(keys[i]!)
  }
  const values = randomValues(random, n, valueSize)
  const values2 = randomValues(random, n, valueSize)
  const rangeStarts = new Uint32Array(config.ranges)
  const span = Math.max(1, n - RANGE_LENGTH + 1)
  for (let i = 0; i < config.ranges; i++) rangeStarts[i] = Math.floor(random() * span)
  return {
    config,
    keys,
    values,
    values2,
    fillOrder: permutation(random, n),
    getOrder: permutation(random, n),
    overwriteOrder: permutation(random, n),
    deleteOrder: permutation(random, n),
    rangeStarts,
  }
}

export function validateConfig(config: BenchConfig): void {
  for (const name of ['n', 'keySize', 'valueSize', 'batch', 'ranges', 'syncPuts'] as const) {
    const v = config[name]
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`)
  }
  if (!Number.isInteger(config.seed)) throw new RangeError(`seed must be an integer, got ${config.seed}`)
  if (String(config.n - 1).length > config.keySize) {
    throw new RangeError(`key size ${config.keySize} cannot hold ${config.n} distinct decimal keys`)
  }
}

export function identity(n: number): Uint32Array {
  const order = new Uint32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  return order
}

/** A seeded generator of floats in [0, 1): the same seed gives the same data in every process. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** One backing buffer sliced per value: n small allocations would dominate the setup time. */
function randomValues(random: () => number, n: number, size: number): Buffer[] {
  const all = Buffer.allocUnsafe(n * size)
  for (let i = 0; i + 4 <= all.length; i += 4) all.writeUInt32LE(Math.floor(random() * 4294967296), i)
  for (let i = all.length - (all.length % 4); i < all.length; i++) all[i] = Math.floor(random() * 256)
  const out = new Array<Buffer>(n)
  for (let i = 0; i < n; i++) out[i] = all.subarray(i * size, (i + 1) * size)
  return out
}

function permutation(random: () => number, n: number): Uint32Array {
  const order = identity(n)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const t = order[i]!
    order[i] = order[j]!
    order[j] = t
  }
  return order
}
