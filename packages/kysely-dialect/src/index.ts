export { BTreeDialect, type BTreeDialectConfig } from './btree-dialect.js'
export { BTreeDriver } from './driver.js'
export { BTreeAdapter } from './adapter.js'
export { BTreeConnection } from './connection.js'
export { BTreeIntrospector } from './introspector.js'
export { BTreeSqlError, type SqlErrorCode } from './errors.js'
export { explain } from './explain.js'
export { analyze } from './analyze.js'
export { checkpoint } from './checkpoint.js'
export type { AccessPlan, JoinPlan, KeyRange, QueryPlan } from './planner/plan.js'
export {
  copyDatabase,
  type CopyOptions,
  type CopyProgress,
  type CopyResult,
  type CopyTarget,
} from './copy/copy-database.js'
