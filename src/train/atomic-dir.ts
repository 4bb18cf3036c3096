/** The checkpoint journal lives with the checkpoint code in the runtime (runtime/io/atomic-dir.ts). */
export { STAGING_DIR, recoverStaged, replaceFilesAtomically } from '../runtime/io/atomic-dir.js';
