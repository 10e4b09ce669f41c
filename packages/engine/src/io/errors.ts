/**
 * The errors of the file layer, as Node's own file system and buffers raise them (the engine wraps
 * those as BTREE_IO, base/errors.ts): this layer is the bottom one and imports nothing.
 */

/** A position or count out of range: Node's RangeError with code ERR_OUT_OF_RANGE. */
export function outOfRange(message: string): RangeError {
  return Object.assign(new RangeError(message), { code: 'ERR_OUT_OF_RANGE' })
}

/**
 * A write that made no progress: the system wrote 0 bytes of a non-empty write (or said nothing of
 * what it wrote). Retrying would loop for good, so the write fails, as Node's EIO would.
 */
export function noProgress(syscall: string, position: number, bytes: number): Error {
  return Object.assign(new Error(`EIO: ${syscall} wrote nothing of ${bytes} bytes at ${position}`), {
    code: 'EIO',
    syscall,
  })
}

/** A file that does not exist, opened without create: Node's error with code ENOENT. */
export function noSuchFile(path: string): Error {
  return Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT', syscall: 'open', path })
}
