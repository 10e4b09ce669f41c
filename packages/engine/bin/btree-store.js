#!/usr/bin/env node
// The `btree-store` command. This stub is in the source tree (not dist/) so that npm links it at
// install time, before `prepare` has built dist/; it runs the compiled CLI.
import '../dist/src/cli/main.js'
