import type { Writable } from 'node:stream'

const CHUNK = 64 * 1024

/**
 * Buffered writes to stdout that respect back-pressure, so that dumping a large file neither
 * builds the whole output in memory nor blocks on each line. A closed pipe (`| head`) ends output
 * quietly: later writes are dropped.
 */
export class Output {
  readonly json: boolean
  readonly #stream: Writable
  #pending: string[] = []
  #pendingLength = 0
  #broken = false

  constructor(stream: Writable, json: boolean) {
    this.#stream = stream
    this.json = json
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') this.#broken = true
      else throw err
    })
  }

  /** Whether the reader went away (a closed pipe); long commands may stop early. */
  get broken(): boolean {
    return this.#broken
  }

  /** Queues one line; flushes (and waits for the pipe to drain) once a chunk has built up. */
  async line(text: string): Promise<void> {
    this.#pending.push(text, '\n')
    this.#pendingLength += text.length + 1
    if (this.#pendingLength >= CHUNK) await this.flush()
  }

  /** Writes the value as one JSON document. */
  async document(value: unknown): Promise<void> {
    await this.line(JSON.stringify(value, null, 2))
  }

  /** Raw bytes, for `get --raw`. */
  async bytes(data: Uint8Array): Promise<void> {
    await this.flush()
    await this.#write(data)
  }

  async flush(): Promise<void> {
    if (this.#pending.length === 0) return
    const text = this.#pending.join('')
    this.#pending = []
    this.#pendingLength = 0
    await this.#write(text)
  }

  async #write(data: string | Uint8Array): Promise<void> {
    if (this.#broken) return
    const ok = this.#stream.write(data)
    if (ok) return
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.#stream.off('drain', done)
        this.#stream.off('close', done)
        this.#stream.off('error', done)
        resolve()
      }
      this.#stream.on('drain', done)
      this.#stream.on('close', done)
      this.#stream.on('error', done)
    })
  }
}
