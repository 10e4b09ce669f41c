/**
 * abstract-level's own shared test suite, unmodified, run with tape on BTreeLevel: every test on a
 * root database, then again on `factory().sublevel('test')`. Each factory() call gets a location
 * of its own under one temporary directory, removed at the end (the suite leaves ~490 databases
 * open; each holds two file descriptors, its file and its journal). Run: node dist/test/conformance/abstract-level-suite.js
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import test from 'tape'
import suite from 'abstract-level/test/index.js'
import { BTreeLevel } from '../../src/index.js'

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'btree-level-suite-'))
let count = 0
const started = Date.now()

suite({
  test,
  factory: (options?: object) => new BTreeLevel(path.join(root, `db-${count++}`), options),
})

test.onFinish(() => {
  // Two descriptors per database the suite left open (it never closes ~490 of them).
  const fds = fs.existsSync('/proc/self/fd')
    ? `, ${fs.readdirSync('/proc/self/fd').length} file descriptors open at the end`
    : ''
  fs.rmSync(root, { recursive: true, force: true })
  console.log(`# btree-level: ${count} databases in ${((Date.now() - started) / 1000).toFixed(1)} s${fds}`)
})
