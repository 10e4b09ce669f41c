export { BTreeLevel } from './btree-level.js'
export type { BTreeEngineOptions, BTreeLevelOptions, StartEndOptions, SyncOptions } from './btree-level.js'
export { BTreeSublevel } from './sublevel.js'
export { BTreeSnapshot } from './snapshot.js'
export { BTreeLevelError, LevelRangeError, LevelTypeError, toLevelError } from './errors.js'
export type { LevelErrorCode } from './errors.js'
export { DATA_FILE } from './location.js'
export {
  copyFromLevel,
  DEFAULT_COPY_BATCH_SIZE,
  type CopyFromLevelOptions,
  type CopyProgress,
  type CopyResult,
  type LevelLike,
} from './copy-from-level.js'
