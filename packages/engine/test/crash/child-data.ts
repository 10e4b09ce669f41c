/** Keys and values of the SIGKILL child, shared with the parent that checks them. */
export function seqKey(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}

/** 10 to ~3000 bytes, some past a 1024-byte page so overflow runs are written too. */
export function childValue(n: number): Buffer {
  const length = n % 10 === 0 ? 1500 + (n % 1500) : 10 + (n % 200)
  return Buffer.alloc(length, n & 0xff)
}
