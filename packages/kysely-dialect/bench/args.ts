import type { SideName } from './sides.js'
import type { WorkloadName } from './workloads.js'

export interface BenchArgs {
  n: number
  rounds: number
  /**
   * Rounds run first on every side and discarded (1 by default): they warm the JIT, the caches and
   * the heap, which the measured rounds would otherwise include for the first of them.
   */
  warmupRounds: number
  /** Milliseconds each time-bounded workload may run per side and round. */
  budgetMs: number
  seed: number
  sides: readonly SideName[] | undefined
  only: readonly WorkloadName[] | undefined
  /** CPU-profile this workload on btree-store (round 1) into `profileFile`. */
  profile: WorkloadName | undefined
  profileFile: string
  /**
   * `wall` (default): elapsed time. `cpu`: the process's CPU time (user + system, every thread),
   * which a machine shared with other work inflates far less; it leaves out time spent waiting,
   * so the durable row's fsyncs do not count.
   */
  clock: 'wall' | 'cpu'
  /**
   * Checkpoint every side before each workload, untimed (btree-store's `checkpoint(db)`,
   * better-sqlite3's `PRAGMA wal_checkpoint(TRUNCATE)`, PGlite's `CHECKPOINT`): each workload then
   * starts from the file's pages rather than from what the workloads before it left in the
   * journal or WAL.
   */
  checkpointBetween: boolean
}

const USAGE =
  'usage: run.js [--n 10000] [--rounds 3] [--warmup-rounds 1] [--budget-ms 1000] [--seed 1] [--sides btree-store,better-sqlite3,sql.js] [--only point-select,update,...] [--profile WORKLOAD [--profile-file btree-WORKLOAD.cpuprofile]] [--clock wall|cpu] [--checkpoint-between]'

function positiveInteger(name: string, text: string | undefined): number {
  const value = Number(text)
  if (!Number.isSafeInteger(value) || value < 1)
    throw new RangeError(`--${name} needs a positive integer, got ${String(text)}\n${USAGE}`)
  return value
}

export function parseArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = {
    n: 10_000,
    rounds: 3,
    warmupRounds: 1,
    budgetMs: 1000,
    seed: 1,
    sides: undefined,
    only: undefined,
    profile: undefined,
    profileFile: '',
    clock: 'wall',
    checkpointBetween: false,
  }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!
    const [name, inline] =
      flag.startsWith('--') && flag.includes('=')
        ? [flag.slice(0, flag.indexOf('=')), flag.slice(flag.indexOf('=') + 1)]
        : [flag, undefined]
    const value = (): string | undefined => inline ?? argv[++i]
    switch (name) {
      case '--n':
        args.n = positiveInteger('n', value())
        break
      case '--rounds':
        args.rounds = positiveInteger('rounds', value())
        break
      case '--warmup-rounds': {
        const text = value()
        const rounds = Number(text)
        if (!Number.isSafeInteger(rounds) || rounds < 0)
          throw new RangeError(`--warmup-rounds needs a non-negative integer, got ${String(text)}\n${USAGE}`)
        args.warmupRounds = rounds
        break
      }
      case '--budget-ms':
        args.budgetMs = positiveInteger('budget-ms', value())
        break
      case '--seed':
        args.seed = positiveInteger('seed', value())
        break
      case '--sides':
        args.sides = (value() ?? '').split(',') as SideName[]
        break
      case '--only':
        args.only = (value() ?? '').split(',') as WorkloadName[]
        break
      case '--profile':
        args.profile = value() as WorkloadName
        break
      case '--profile-file':
        args.profileFile = value() ?? ''
        break
      case '--clock': {
        const clock = value()
        if (clock !== 'wall' && clock !== 'cpu')
          throw new RangeError(`--clock is wall or cpu, got ${String(clock)}\n${USAGE}`)
        args.clock = clock
        break
      }
      case '--checkpoint-between':
        args.checkpointBetween = true
        break
      case '--help':
        console.log(USAGE)
        process.exit(0)
      // eslint-disable-next-line no-fallthrough
      default:
        throw new RangeError(`unknown argument ${flag}\n${USAGE}`)
    }
  }
  if (args.profile !== undefined && args.profileFile === '') args.profileFile = `btree-${args.profile}.cpuprofile`
  return args
}
