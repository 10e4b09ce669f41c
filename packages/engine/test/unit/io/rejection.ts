/** The error a promise rejects with; fails the test if it resolves, so a missing fault cannot pass. */
export async function rejection(promise: Promise<unknown>): Promise<Error & { code?: unknown; syscall?: unknown }> {
  try {
    await promise
  } catch (err) {
    return err as Error & { code?: unknown }
  }
  throw new Error('expected the promise to reject, but it resolved')
}

/** The error `fn` throws synchronously; fails the test if it returns. */
export function thrown(fn: () => unknown): Error & { code?: unknown; syscall?: unknown } {
  try {
    fn()
  } catch (err) {
    return err as Error & { code?: unknown }
  }
  throw new Error('expected the call to throw, but it returned')
}
