import { expect } from 'chai'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { NodeFile, nodeFileSystem } from '../../../src/io/node-file.js'
import { CYCLE, FIRST_CYCLE, ORDER, PROBE, WINDOW, WritebackPolicy } from '../../../src/io/writeback-policy.js'

/** A policy that takes every writeback ahead (the mechanics under test here, not the choice). */
const always = { allows: true, noteSync(): void {} }

/** A NodeFile of its own at `p`, with `policy`, for writing. */
function openFile(p: string, policy: Pick<WritebackPolicy, 'allows' | 'noteSync'> = always): NodeFile {
  return new NodeFile(fs.openSync(p, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644), p, policy)
}

describe('io/NodeFile: writes and writebacks ahead', () => {
  let dir: string
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btree-node-file-'))
  })
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('syncs through a descriptor of its own, many at once; close waits for them and closes both descriptors', async () => {
    const file = openFile(path.join(dir, 'a'))
    const opened = fs.readdirSync('/proc/self/fd').length
    for (let i = 0; i < 40; i++) {
      file.writevSync([Buffer.alloc(16 * 1024, i)], i * 16 * 1024)
      file.startWriteback!()
    }
    // One more descriptor, the writeback's, however many syncs were asked for.
    expect(fs.readdirSync('/proc/self/fd').length).to.equal(opened + 1)
    await file.sync()
    await file.close()
    expect(fs.readdirSync('/proc/self/fd').length).to.equal(opened - 1)
    const back = fs.readFileSync(path.join(dir, 'a'))
    expect(back.length).to.equal(40 * 16 * 1024)
    expect(back[39 * 16 * 1024]).to.equal(39)
  })

  it('does nothing when its path names another file now, or for a read-only file', async () => {
    const p = path.join(dir, 'b')
    const file = openFile(p)
    file.writevSync([Buffer.from('x')], 0)
    fs.renameSync(p, path.join(dir, 'moved'))
    fs.writeFileSync(p, 'another')
    const opened = fs.readdirSync('/proc/self/fd').length
    file.startWriteback!()
    expect(fs.readdirSync('/proc/self/fd').length).to.equal(opened)
    await file.close()
    const ro = nodeFileSystem.open(p, { readOnly: true, create: false })
    ro.startWriteback!()
    expect(fs.readdirSync('/proc/self/fd').length).to.equal(opened)
    await ro.close()
  })

  it('stops starting writebacks once even the fastest of its first 16 alone took 2 ms (a disk whose flushes are slow); fast ones go on', async () => {
    const real = fs.fdatasync
    for (const delay of [0, 3]) {
      const file = openFile(path.join(dir, `slow-${delay}`))
      let calls = 0
      let inFlight = 0
      fs.fdatasync = ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
        calls++
        inFlight++
        setTimeout(
          () =>
            real(fd, (err) => {
              inFlight--
              cb(err)
            }),
          delay,
        )
      }) as unknown as typeof fs.fdatasync
      try {
        for (let i = 0; i < 20; i++) {
          file.writevSync([Buffer.alloc(4096, i)], i * 4096)
          file.startWriteback()
          // One at a time, so that each is timed alone.
          while (inFlight > 0) await new Promise((r) => setTimeout(r, 1))
          await new Promise((r) => setImmediate(r))
        }
        expect(file.writesBack, `delay ${delay}`).to.equal(delay === 0)
        // A file whose flushes proved slow declines writebacks ahead, whatever its policy says.
        expect(file.writesAhead, `writesAhead, delay ${delay}`).to.equal(delay === 0)
        expect(calls, `delay ${delay}`).to.equal(delay === 0 ? 20 : 16)
      } finally {
        fs.fdatasync = real
        await file.close()
      }
    }
  })

  it("declines writebacks ahead while its policy does, takes 'backlog' ones always; its syncs feed the policy", async () => {
    const real = fs.fdatasync
    let calls = 0
    fs.fdatasync = ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
      calls++
      real(fd, cb)
    }) as unknown as typeof fs.fdatasync
    const noted: number[] = []
    const policy = { allows: false, noteSync: (now: number) => void noted.push(now) }
    const file = openFile(path.join(dir, 'policy'), policy)
    try {
      file.writevSync([Buffer.alloc(4096, 1)], 0)
      expect(file.writesAhead, 'writesAhead while the policy declines').to.equal(false)
      file.startWriteback()
      file.startWriteback('ahead')
      expect(calls, 'declined').to.equal(0)
      file.startWriteback('backlog')
      expect(calls, 'backlog').to.equal(1)
      policy.allows = true
      await new Promise((r) => setTimeout(r, 20))
      expect(file.writesAhead, 'writesAhead once it allows').to.equal(true)
      file.startWriteback()
      expect(calls, 'allowed').to.equal(2)
      const before = performance.now()
      file.syncSync()
      await file.sync()
      expect(noted).to.have.length(2)
      expect(noted[0]).to.be.at.least(before)
      expect(noted[1]).to.be.at.least(noted[0]!)
    } finally {
      fs.fdatasync = real
      await file.close()
    }
  })

  it('shares one policy among the files of a device (nodeFileSystem.open)', async () => {
    const a = nodeFileSystem.open(path.join(dir, 'a'), { readOnly: false, create: true })
    const b = nodeFileSystem.open(path.join(dir, 'b'), { readOnly: false, create: true })
    const real = fs.fdatasync
    const asked: number[] = []
    // Writebacks settle at once here, so that none is in flight at the next ask.
    fs.fdatasync = ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
      asked.push(fd)
      setImmediate(() => cb(null))
    }) as unknown as typeof fs.fdatasync
    try {
      // Only a syncs; through a whole cycle, b takes a writeback ahead exactly when a does (the
      // device's probe windows, then its choice), and both decline in the window without them.
      const steps: string[] = []
      for (let i = 0; i < CYCLE; i++) {
        asked.length = 0
        a.startWriteback!()
        const byA = asked.length
        b.startWriteback!()
        steps.push(`${byA}${asked.length - byA}`)
        await new Promise((r) => setImmediate(r))
        await new Promise((r) => setImmediate(r))
        a.syncSync()
      }
      expect(
        steps.filter((x) => x === '10' || x === '01'),
        'a and b disagree',
      ).to.deep.equal([])
      expect(steps).to.include('00')
    } finally {
      fs.fdatasync = real
      await a.close()
      await b.close()
    }
  })

  it('writes lists with empty buffers anywhere in them, on the thread pool and on the caller', async () => {
    const file = openFile(path.join(dir, 'w'))
    try {
      const e = Buffer.alloc(0)
      await file.writev([e, Buffer.from('ab'), e, e, Buffer.from('c'), e], 0)
      file.writevSync([e, Buffer.from('de'), e], 3)
      await file.writev([e, e], 5)
      file.writevSync([e], 5)
      // More than a writev takes at once (1,024 buffers), all empty, then bytes.
      await file.writev([...new Array<Buffer>(1500).fill(e), Buffer.from('f')], 5)
      expect(fs.readFileSync(path.join(dir, 'w'), 'latin1')).to.equal('abcdef')
      expect(file.size()).to.equal(6)
    } finally {
      await file.close()
    }
  })

  it('fails with EIO a write that makes no progress, instead of asking again for good', async () => {
    const file = openFile(path.join(dir, 'z'))
    const realAsync = fs.writev
    const realSync = fs.writevSync
    fs.writev = ((_fd: number, _b: unknown, _p: number, cb: (err: null, n: number) => void) =>
      setImmediate(() => cb(null, 0))) as unknown as typeof fs.writev
    fs.writevSync = (() => 0) as unknown as typeof fs.writevSync
    try {
      let err: unknown
      await file.writev([Buffer.from('abc')], 0).catch((e: unknown) => (err = e))
      expect((err as { code?: unknown }).code).to.equal('EIO')
      expect(() => file.writevSync([Buffer.from('abc')], 0))
        .to.throw(/wrote nothing of 3 bytes/)
        .with.property('code', 'EIO')
    } finally {
      fs.writev = realAsync
      fs.writevSync = realSync
      await file.close()
    }
  })
})

describe('io/WritebackPolicy', () => {
  /** Runs `syncs` syncs through `policy`, each `period(allowed)` ms after the one before. */
  function run(
    policy: WritebackPolicy,
    syncs: number,
    period: (allowed: boolean) => number,
    clock: { now: number },
  ): boolean[] {
    const allowed: boolean[] = []
    for (let i = 0; i < syncs; i++) {
      allowed.push(policy.allows)
      clock.now += period(policy.allows)
      policy.noteSync(clock.now)
    }
    return allowed
  }

  /** What `allows` says through the probes: each window of ORDER, WINDOW syncs long. */
  const probes = ORDER.flatMap((on) => Array<boolean>(WINDOW).fill(on))

  it('probes interleaved windows without writebacks ahead and with them, then keeps the faster for the rest of the cycle', () => {
    expect(probes).to.have.length(PROBE)
    const policy = new WritebackPolicy()
    const clock = { now: 1000 }
    // Writebacks ahead make each commit's cycle 0.1 ms instead of 0.7 (a disk slow after a pause).
    const allowed = run(policy, FIRST_CYCLE, (on) => (on ? 0.1 : 0.7), clock)
    expect(allowed.slice(0, PROBE)).to.deep.equal(probes)
    expect(allowed.slice(PROBE)).to.deep.equal(Array(FIRST_CYCLE - PROBE).fill(true))
    expect(policy.chosen).to.equal(true)
    // The disk's phase changes: writebacks now cost (0.14 ms a cycle against 0.1). The next cycle's
    // probes see it and turn them off for its rest.
    const next = run(policy, 2 * FIRST_CYCLE, (on) => (on ? 0.14 : 0.1), clock)
    expect(next.slice(0, PROBE)).to.deep.equal(probes)
    expect(next.slice(PROBE).some((a) => a)).to.equal(false)
    expect(policy.chosen).to.equal(false)
  })

  it('cycles start short and double up to CYCLE: probes at syncs 0, 64, 192, 448, then every 256', () => {
    const policy = new WritebackPolicy()
    const clock = { now: 0 }
    // Writebacks always lose: outside the probes none is allowed, so each allowed one is a probe's.
    const allowed = run(policy, 1984 + PROBE, (on) => (on ? 0.2 : 0.1), clock)
    const trues = allowed.flatMap((on, i) => (on ? [i] : []))
    // Each probe's first window with writebacks is its second (ORDER).
    const starts = trues.filter((t, k) => k === 0 || t - trues[k - 1]! > PROBE).map((t) => t - WINDOW)
    expect(starts).to.deep.equal([0, 64, 192, 448, 704, 960, 1216, 1472, 1728, 1984])
    for (const at of starts) expect(allowed.slice(at, at + PROBE)).to.deep.equal(probes)
    expect(FIRST_CYCLE * 4).to.equal(CYCLE)
  })

  it('a process warming up does not take its cold first commits for the cost of one arm: interleaved, both arms see them', () => {
    // Each commit's cycle: 0.85 ms without writebacks ahead, 1.25 with them (a disk that answers
    // every sync at once), plus what a cold process adds to its first commits (V8 compiling the
    // commit path): 6 ms falling by e each 4 commits. Probing one arm and then the other, the arm
    // probed first saw the cold commits and lost (round s46: a median of 4.0 ms against 1.7).
    const policy = new WritebackPolicy()
    const clock = { now: 0 }
    let i = 0
    run(policy, PROBE, (on) => (on ? 1.25 : 0.85) + 6 * Math.exp(-i++ / 4), clock)
    expect(policy.chosen).to.equal(false)
  })

  it('keeps writebacks ahead off on a tie: they must win by 5 %', () => {
    const policy = new WritebackPolicy()
    const clock = { now: 0 }
    run(policy, PROBE, (on) => (on ? 0.098 : 0.1), clock)
    expect(policy.chosen).to.equal(false)
    // A clear win (0.09 against 0.1) takes them.
    run(policy, CYCLE, (on) => (on ? 0.09 : 0.1), clock)
    expect(policy.chosen).to.equal(true)
  })
})
