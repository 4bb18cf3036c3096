/**
 * seqloom/runtime/node: the browser-safe runtime (seqloom/runtime) plus what needs Node — files,
 * checkpoint folders, crash-safe writes, data-file readers, bounded reads, and backend start-up
 * hooks (tfjs-node; wasm binaries from node_modules). Importing it registers those hooks, so under
 * Node initBackend should come from here. Generated modules never import this.
 */
import './backend.js';

export * from '../index.js';
export { writeFileAtomic } from '../io/atomic-write.js';
export { STAGING_DIR, recoverStaged, replaceFilesAtomically, replaceFilesAtomicallySync } from '../io/atomic-dir.js';
export { readFileBounded, FileTooLargeError, MAX_STREAM_BYTES } from '../io/bounded-read.js';
export { readSafetensors, writeSafetensors } from '../io/safetensors-file.js';
export {
  saveCheckpoint, writeCheckpointFiles, loadCheckpoint, specHash, CHECKPOINT_FILES, CHECKPOINT_FORMAT, CHECKPOINT_VERSION,
  type CheckpointMeta, type CheckpointInput, type Checkpoint,
} from '../io/checkpoint.js';
export { MAX_DATA_FILE_BYTES, MAX_LINE_WARNINGS, type OnBadLine } from '../data/read-lines.js';
export {
  readPairs, readText, forEachPair, DEFAULT_TSV_MAX_LINE_BYTES, DEFAULT_TEXT_MAX_LINE_BYTES,
  type ReadOptions, type PairsRead, type TextRead,
} from '../data/readers.js';
export {
  loadSeq2seqDataset, loadLmDataset, readSeq2seqCorpus, BUILTIN_SEQ2SEQ_ORIGIN, BUILTIN_TEXT_ORIGIN, type Loaded,
} from '../data/load.js';
