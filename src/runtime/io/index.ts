/** I/O: safetensors, atomic writes, checkpoint folders. */
export { writeFileAtomic } from './atomic-write.js';
export {
  parseSafetensors, serializeSafetensors, readSafetensors, writeSafetensors,
  MAX_SAFETENSORS_HEADER_BYTES, MAX_SAFETENSORS_FILE_BYTES,
  type SafetensorsDtype, type TensorData, type SafetensorsTensor, type SafetensorsFile,
} from './safetensors.js';
export {
  saveCheckpoint, writeCheckpointFiles, loadCheckpoint, specHash, CHECKPOINT_FILES, CHECKPOINT_FORMAT, CHECKPOINT_VERSION,
  type CheckpointMeta, type CheckpointInput, type Checkpoint,
} from './checkpoint.js';
