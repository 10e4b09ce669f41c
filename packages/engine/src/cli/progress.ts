import type { WriteStream } from 'node:tty'

const WIDTH = 30
const INTERVAL_MS = 100

/**
 * A one-line progress bar on stderr, drawn only when stderr is a terminal so that logs and pipes
 * never collect carriage returns. Redraws at most every 100 ms: `tick` is cheap on hot loops.
 */
export class Progress {
  readonly #stream: WriteStream | undefined
  readonly #label: string
  #total: number
  #done = 0
  #lastDraw = 0
  #drawn = false
  readonly #unit: 'items' | 'bytes'

  constructor(label: string, total: number, options: { unit?: 'items' | 'bytes'; stream?: NodeJS.WriteStream } = {}) {
    const stream = options.stream ?? process.stderr
    this.#stream = stream.isTTY === true ? (stream as WriteStream) : undefined
    this.#label = label
    this.#total = total
    this.#unit = options.unit ?? 'items'
  }

  /** Whether anything is drawn at all. */
  get active(): boolean {
    return this.#stream !== undefined
  }

  setTotal(total: number): void {
    this.#total = total
  }

  /** Adds `n` units of progress. */
  tick(n = 1): void {
    this.#done += n
    if (this.#stream === undefined) return
    const now = Date.now()
    if (now - this.#lastDraw < INTERVAL_MS) return
    this.#lastDraw = now
    this.#draw()
  }

  /** Sets the absolute progress. */
  set(done: number): void {
    this.tick(done - this.#done)
  }

  /** Clears the bar's line. */
  done(): void {
    if (this.#stream === undefined || !this.#drawn) return
    this.#stream.write('\r\x1b[K')
    this.#drawn = false
  }

  #draw(): void {
    const stream = this.#stream!
    const total = this.#total
    let line: string
    if (total > 0) {
      const ratio = Math.min(1, this.#done / total)
      const filled = Math.round(ratio * WIDTH)
      line = `${this.#label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ${this.#count(this.#done)}/${this.#count(total)}`
    } else {
      line = `${this.#label} ${this.#count(this.#done)}`
    }
    const columns = stream.columns ?? 80
    stream.write(`\r${line.slice(0, columns - 1)}\x1b[K`)
    this.#drawn = true
  }

  #count(n: number): string {
    return this.#unit === 'bytes' ? formatBytes(n) : String(n)
  }
}

/** 1536 -> "1.5 KiB". */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`
}
