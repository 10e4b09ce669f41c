// Type declarations for the untyped test modules the conformance runner loads.
declare module 'tape' {
  interface Tape {
    (name: string, fn: (t: unknown) => unknown): void
    onFinish(fn: () => void): void
  }
  const tape: Tape
  export default tape
}

declare module 'abstract-level/test/index.js' {
  function suite(options: { test: unknown; factory: (options?: object) => unknown }): void
  export default suite
}
