import type { ViewDef } from '../catalog/catalog.js'
import { BTreeSqlError } from '../errors.js'

/**
 * SQLite resolves the names in a view of `main` in `main` alone: a temporary view (`create temp
 * view`, the temp schema) it names is "no such table: main.v" when the view is read, not when it
 * is made (a name qualified `temp.` is refused at create, but the dialect parses no `temp.`). A
 * temporary view reads main's objects and other temporary views.
 *
 * Invariant: `mainViews` counts the views of main whose select is being prepared, nested; a
 * preparation is synchronous (select-general.ts viewOf), so a counter is the whole scope.
 */
let mainViews = 0

/** `run` (a view's preparation) with `view`'s scope in force for what it reads. */
export function inViewScope<T>(view: Pick<ViewDef, 'temporary'>, run: () => T): T {
  if (view.temporary === true) return run()
  mainViews++
  try {
    return run()
  } finally {
    mainViews--
  }
}

/** Refuses a temporary view read from inside a view of main, with SQLite's error. */
export function checkViewReachable(view: ViewDef): void {
  if (view.temporary === true && mainViews > 0)
    throw new BTreeSqlError('BTREE_SQL_NO_SUCH_TABLE', `no such table: main.${view.name}`)
}
