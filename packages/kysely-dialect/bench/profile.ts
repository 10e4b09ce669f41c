import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'

/**
 * A CPU profile of one stretch of code (one workload on one side), not of the whole run: the
 * fill, the file syncs of creating a database and the other sides stay out of it. Writes a
 * `.cpuprofile` that Chrome DevTools opens; `profile-top.js` lists its hottest functions.
 */
export async function profiled<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 100 })
  await session.post('Profiler.start')
  try {
    return await fn()
  } finally {
    const { profile } = await session.post('Profiler.stop')
    writeFileSync(file, JSON.stringify(profile))
    session.disconnect()
  }
}
