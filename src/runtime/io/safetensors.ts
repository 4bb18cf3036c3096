/**
 * The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON header `{name: {dtype, shape, data_offsets: [begin, end]},
 * "__metadata__": {string: string}}` (offsets relative to the data section), then the data.
 *
 * Reading validates everything before allocating anything the header claims: header length within
 * the file, JSON object, known dtype, shape × dtype size = byte length, offsets in bounds, no overlap,
 * no gap, data fully covered — each failure a UserError naming the file. F32 and I32 are read as they
 * are; F64, F16 and BF16 are converted to Float32Array and I64 to Int32Array (range-checked), so
 * PyTorch checkpoints in those dtypes load too. Writing supports F32 and I32.
 *
 * Bytes only (browser-safe); reading and writing files is safetensors-file.ts (Node).
 */
import { UserError } from '../../errors.js';

export type SafetensorsDtype = 'F32' | 'I32';
/** A tensor as stored: row-major data, PyTorch layout is the caller's business. */
export interface TensorData { shape: number[]; data: Float32Array | Int32Array }
export interface SafetensorsTensor extends TensorData {
  dtype: SafetensorsDtype;
  /** The dtype in the file when it was converted on reading (e.g. 'F16'); else the same as dtype. */
  fileDtype: string;
}
export interface SafetensorsFile { tensors: Record<string, SafetensorsTensor>; metadata: Record<string, string> }

/** The safetensors reference implementation refuses larger headers too. */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;
export const MAX_SAFETENSORS_FILE_BYTES = 2 ** 32 - 1;

const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, I64: 8, U64: 8, F64: 8,
};
const READABLE = new Set(['F32', 'I32', 'F64', 'F16', 'BF16', 'I64']);

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function checkHostEndianness(): void {
  if (!LITTLE_ENDIAN) throw new UserError('safetensors files are little-endian; this machine is big-endian');
}

/**
 * Names come from files: `obj[name] = v` with name `__proto__` would set the prototype instead of a
 * key (and lose the entry), so every file-derived key is defined as an own property.
 */
function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

interface Entry { name: string; dtype: string; shape: number[]; begin: number; end: number }

function parseEntry(where: string, name: string, raw: unknown, dataBytes: number): Entry {
  const at = `${where}: tensor ${JSON.stringify(name)}`;
  if (!isObject(raw)) throw new UserError(`${at}: header entry is not an object`);
  const { dtype, shape, data_offsets: offsets } = raw;
  if (typeof dtype !== 'string') throw new UserError(`${at}: dtype is missing or not a string`);
  const size = DTYPE_BYTES[dtype];
  if (size === undefined) throw new UserError(`${at}: unknown dtype ${JSON.stringify(dtype)}`);
  if (!READABLE.has(dtype)) throw new UserError(`${at}: dtype ${dtype} is not supported (seqloom reads ${[...READABLE].join(', ')})`);
  if (!Array.isArray(shape) || !shape.every(isCount)) throw new UserError(`${at}: shape must be a list of non-negative integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw new UserError(`${at}: data_offsets must be [begin, end], two non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) throw new UserError(`${at}: data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataBytes) {
    throw new UserError(`${at}: data_offsets [${begin}, ${end}] are out of bounds (the data section has ${dataBytes} bytes; is the file truncated?)`);
  }
  let need = size;
  for (const d of shape as number[]) {
    need *= d;
    if (need > Number.MAX_SAFE_INTEGER) throw new UserError(`${at}: shape [${shape.join(', ')}] is impossibly large`);
  }
  if (need !== end - begin) {
    throw new UserError(`${at}: shape [${shape.join(', ')}] of ${dtype} needs ${need} bytes, data_offsets give ${end - begin}`);
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

function checkCoverage(where: string, entries: Entry[], dataBytes: number): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: Entry | null = null;
  for (const e of sorted) {
    if (e.begin < cursor) {
      throw new UserError(`${where}: tensors ${JSON.stringify(previous!.name)} and ${JSON.stringify(e.name)} overlap (bytes ${e.begin}–${cursor})`);
    }
    if (e.begin > cursor) throw new UserError(`${where}: data bytes ${cursor}–${e.begin} belong to no tensor`);
    cursor = e.end;
    previous = e;
  }
  if (cursor !== dataBytes) {
    throw new UserError(`${where}: data bytes ${cursor}–${dataBytes} belong to no tensor (the header does not cover the data)`);
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function decodeTensor(where: string, e: Entry, bytes: Uint8Array, dataStart: number): SafetensorsTensor {
  const start = dataStart + e.begin;
  const n = (e.end - e.begin) / DTYPE_BYTES[e.dtype]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, e.end - e.begin);
  // A copy into a fresh, aligned buffer (the data may sit at any offset; a Buffer's .buffer is a shared pool).
  const copy = () => new Uint8Array(bytes.subarray(start, dataStart + e.end)).buffer;
  switch (e.dtype) {
    case 'F32': return { dtype: 'F32', fileDtype: 'F32', shape: e.shape, data: new Float32Array(copy()) };
    case 'I32': return { dtype: 'I32', fileDtype: 'I32', shape: e.shape, data: new Int32Array(copy()) };
    case 'F64': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
      return { dtype: 'F32', fileDtype: 'F64', shape: e.shape, data: out };
    }
    case 'F16':
    case 'BF16': {
      const out = new Float32Array(n);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) {
        const h = view.getUint16(i * 2, true);
        if (e.dtype === 'BF16') bits[i] = h << 16;
        else out[i] = halfToFloat(h);
      }
      return { dtype: 'F32', fileDtype: e.dtype, shape: e.shape, data: out };
    }
    default: { // I64
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = view.getBigInt64(i * 8, true);
        if (v > 2147483647n || v < -2147483648n) throw new UserError(`${where}: tensor ${JSON.stringify(e.name)}: I64 value ${v} does not fit int32`);
        out[i] = Number(v);
      }
      return { dtype: 'I32', fileDtype: 'I64', shape: e.shape, data: out };
    }
  }
}

/** Parse safetensors bytes; `where` (usually the path) prefixes every error message. */
export function parseSafetensors(bytes: Uint8Array, where = 'safetensors'): SafetensorsFile {
  checkHostEndianness();
  if (bytes.length < 8) throw new UserError(`${where}: ${bytes.length} bytes is too short for a safetensors file (8-byte header length missing)`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) {
    throw new UserError(`${where}: header length ${headerLength} is larger than the file (${bytes.length} bytes): truncated, or not a safetensors file`);
  }
  const n = Number(headerLength);
  if (n > MAX_SAFETENSORS_HEADER_BYTES) throw new UserError(`${where}: header of ${n} bytes is over the ${MAX_SAFETENSORS_HEADER_BYTES}-byte limit`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (err) {
    throw new UserError(`${where}: header is not JSON (${err instanceof SyntaxError ? err.message : 'not UTF-8'}): not a safetensors file?`);
  }
  if (!isObject(header)) throw new UserError(`${where}: header is not a JSON object`);
  const dataStart = 8 + n;
  const dataBytes = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!isObject(raw)) throw new UserError(`${where}: __metadata__ must be an object of strings`);
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v !== 'string') throw new UserError(`${where}: __metadata__.${k} must be a string`);
        setOwn(metadata, k, v);
      }
      continue;
    }
    entries.push(parseEntry(where, name, raw, dataBytes));
  }
  checkCoverage(where, entries, dataBytes);
  const tensors: Record<string, SafetensorsTensor> = {};
  for (const e of entries) setOwn(tensors, e.name, decodeTensor(where, e, bytes, dataStart));
  return { tensors, metadata };
}

function dtypeOf(name: string, data: unknown): SafetensorsDtype {
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof Int32Array) return 'I32';
  throw new UserError(`tensor ${JSON.stringify(name)}: data must be a Float32Array or an Int32Array`);
}

/** Serialize tensors (sorted by name, header padded with spaces to 8 bytes) and string metadata. */
export function serializeSafetensors(tensors: Record<string, TensorData>, metadata: Record<string, string> = {}): Uint8Array {
  checkHostEndianness();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new UserError(`safetensors metadata ${k} must be a string`);
    }
    header.__metadata__ = metadata;
  }
  const names = Object.keys(tensors).sort();
  let offset = 0;
  for (const name of names) {
    if (name === '' || name === '__metadata__') throw new UserError(`invalid tensor name ${JSON.stringify(name)}`);
    const { shape, data } = tensors[name]!;
    const dtype = dtypeOf(name, data);
    if (!shape.every(isCount)) throw new UserError(`tensor ${JSON.stringify(name)}: shape [${String(shape)}] must hold non-negative integers`);
    const count = shape.reduce((a, b) => a * b, 1);
    if (count !== data.length) throw new UserError(`tensor ${JSON.stringify(name)}: shape [${shape.join(', ')}] has ${count} elements, data has ${data.length}`);
    setOwn(header, name, { dtype, shape, data_offsets: [offset, offset + data.byteLength] });
    offset += data.byteLength;
  }
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(headerBytes.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(headerBytes, 8);
  out.fill(0x20, 8 + headerBytes.length, 8 + padded);
  let at = 8 + padded;
  for (const name of names) {
    const { data } = tensors[name]!;
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    at += data.byteLength;
  }
  return out;
}
