import { expect } from 'chai'
import type { Durability } from '../../src/base/types.js'
import type { CrashImageOptions } from '../doubles/power-loss-file.js'
import { Prng } from '../../src/io/prng.js'
import { hash, suiteSeed } from './harness.js'
import { newConcurrentFs, runConcurrent, verifyConcurrent } from './concurrent.js'

/**
 * Crash at every write and sync of a concurrent workload (test/crash/concurrent.ts): groups that
 * write while the group before them syncs (the pipelined group commit), and checkpoints every few
 * groups with commits going on, so that journal appends during a checkpoint, the checkpoint's own
 * writes and syncs, and the journal's restart are all crash points.
 */
describe('crash at every write and sync of concurrent commits', function () {
  this.timeout(600_000)
  const seed = suiteSeed('concurrent crash points')

  for (const durability of ['full', 'none'] as Durability[]) {
    it(`durability '${durability}': every crash point, drop-all, keep-all and random images`, async () => {
      let workloadSeed = (seed ^ hash(durability)) >>> 0
      let probe = newConcurrentFs()
      let full = await runConcurrent(probe, durability, workloadSeed)
      // A schedule that never begins a group's sync while another one syncs (a few seeds in a
      // hundred) is passed over for the next seed: the pipelined path must be among the crash points.
      for (let tries = 0; durability === 'full' && probe.overlappingSyncs === 0 && tries < 20; tries++) {
        workloadSeed = (workloadSeed + 1) >>> 0
        probe = newConcurrentFs()
        full = await runConcurrent(probe, durability, workloadSeed)
      }
      expect(full.resolved.size + (durability === 'none' ? 1 : 0)).to.be.greaterThan(0)
      // With 'full', both kinds of journal sync are crash points below: a lone commit's on the
      // caller's thread (syncSync), and pipelined groups' on the thread pool, one begun while the
      // group before it still syncs.
      if (durability === 'full') {
        expect(probe.inlineSyncs).to.be.greaterThan(0)
        expect(probe.overlappingSyncs).to.be.greaterThan(0)
        // Groups whose records streamed ahead of their commits (concurrentOptions' journalStream).
        expect(probe.journalWritebacks).to.be.greaterThan(0)
      } else expect(probe.inlineSyncs).to.equal(0)
      const prng = new Prng(workloadSeed)
      const failures: string[] = []
      for (let k = 1; k <= full.ops; k++) {
        const modes: CrashImageOptions[] = [
          { mode: 'drop-all' },
          { mode: 'keep-all' },
          { mode: 'random', seed: prng.int(2 ** 32) },
        ]
        for (const image of modes) {
          const fs = newConcurrentFs()
          const run = await runConcurrent(fs, durability, workloadSeed, k)
          const why = await verifyConcurrent(fs, run, durability, image)
          if (why !== undefined) failures.push(`op ${k}/${full.ops} ${image.mode} ${image.seed ?? ''}: ${why}`)
        }
      }
      expect(failures, failures.slice(0, 10).join('\n')).to.deep.equal([])
      console.log(`        workload seed ${workloadSeed}: ${full.ops} ops, ${full.order.length} updates`)
    })
  }
})
