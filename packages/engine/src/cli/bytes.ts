import { usageError } from './cli-error.js'

/** How dump, keys and get write bytes as text. */
export type Encoding = 'hex' | 'base64' | 'utf8'

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** Decodes UTF-8, or undefined when the bytes are not valid UTF-8. */
export function utf8OrUndefined(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes)
  } catch {
    return undefined
  }
}

/**
 * Bytes for JSON: a string in `encoding`, or `{ "hex": ... }` when UTF-8 was asked for and the bytes
 * are not valid UTF-8, so that a dump stays exact whatever the data.
 */
export function encodeField(bytes: Uint8Array, encoding: Encoding): string | { hex: string } {
  if (encoding === 'utf8') {
    const text = utf8OrUndefined(bytes)
    return text ?? { hex: toBuffer(bytes).toString('hex') }
  }
  return toBuffer(bytes).toString(encoding)
}

/** The inverse of `encodeField`; `what` names the field in error messages. */
export function decodeField(field: unknown, encoding: Encoding, what: string): Buffer {
  if (typeof field === 'string') return decodeString(field, encoding, what)
  if (field !== null && typeof field === 'object') {
    const entries = Object.entries(field)
    if (entries.length === 1) {
      const [enc, text] = entries[0]!
      if ((enc === 'hex' || enc === 'base64' || enc === 'utf8') && typeof text === 'string')
        return decodeString(text, enc, what)
    }
  }
  throw new Error(`${what} must be a string or {"hex": ...}`)
}

function decodeString(text: string, encoding: Encoding, what: string): Buffer {
  if (encoding === 'hex' && !/^(?:[0-9a-fA-F]{2})*$/.test(text)) throw new Error(`${what} is not valid hex`)
  if (encoding === 'base64' && !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new Error(`${what} is not valid base64`)
  return Buffer.from(text, encoding)
}

/** A key given on the command line: UTF-8, or hex after a `hex:` prefix. */
export function parseKeyArgument(text: string): Buffer {
  if (text.startsWith('hex:')) {
    const hex = text.slice(4)
    if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw usageError(`'${text}' is not valid hex after 'hex:'`)
    return Buffer.from(hex, 'hex')
  }
  return Buffer.from(text, 'utf8')
}

/**
 * Bytes for a human: the text when it is valid UTF-8 without control characters (and would not
 * itself read as `hex:`), otherwise `hex:` and the hex, the form `get` accepts back.
 */
export function displayBytes(bytes: Uint8Array): string {
  const text = utf8OrUndefined(bytes)
  // eslint-disable-next-line no-control-regex
  if (text !== undefined && !/[\u0000-\u001f\u007f]/.test(text) && !text.startsWith('hex:')) return text
  return `hex:${toBuffer(bytes).toString('hex')}`
}

/** A field for a text line: `displayBytes` unless an encoding was asked for explicitly. */
export function textField(bytes: Uint8Array, encoding: Encoding | undefined): string {
  if (encoding === undefined) return displayBytes(bytes)
  const field = encodeField(bytes, encoding)
  return typeof field === 'string' ? field : `hex:${field.hex}`
}

/** The encoding chosen by --hex / --base64 / --utf8 (at most one), or `fallback`. */
export function encodingOption(values: Partial<Record<string, string | boolean>>, fallback: Encoding): Encoding
export function encodingOption(
  values: Partial<Record<string, string | boolean>>,
  fallback: undefined,
): Encoding | undefined
export function encodingOption(
  values: Partial<Record<string, string | boolean>>,
  fallback: Encoding | undefined,
): Encoding | undefined {
  const chosen = (['hex', 'base64', 'utf8'] as const).filter((e) => values[e] === true)
  if (chosen.length > 1) throw usageError(`choose one of --hex, --base64 and --utf8`)
  return chosen[0] ?? fallback
}
