/**
 * I/O, browser-safe: the safetensors format as bytes. Files (reading, atomic writes, checkpoint
 * folders) are Node-only: seqloom/runtime/node (src/runtime/node/index.ts).
 */
export {
  parseSafetensors, serializeSafetensors,
  MAX_SAFETENSORS_HEADER_BYTES, MAX_SAFETENSORS_FILE_BYTES,
  type SafetensorsDtype, type TensorData, type SafetensorsTensor, type SafetensorsFile,
} from './safetensors.js';
