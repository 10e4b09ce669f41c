import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { BENCH_PACKAGE_JSON } from './sides.js'

/**
 * `npm run bench` runs this first: installs the bench folder's own dependencies (better-sqlite3,
 * which compiles from source for about two minutes) when they are missing. They stay out of the
 * workspace so that `npm ci` for the tests never builds native code. A failed install is reported
 * and the bench still runs, without the better-sqlite3 column.
 */
const benchDir = dirname(BENCH_PACKAGE_JSON)
if (!existsSync(join(benchDir, 'node_modules', 'better-sqlite3', 'package.json'))) {
  console.error(
    `installing the benchmark's native peers in ${benchDir} (better-sqlite3 builds from source, ~2 minutes)`,
  )
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const result = spawnSync(npm, ['--prefix', benchDir, 'install', '--no-audit', '--no-fund'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  if (result.status !== 0)
    console.error(
      `npm --prefix bench install failed (${result.error?.message ?? `exit ${String(result.status)}`}); the bench runs without better-sqlite3`,
    )
}
