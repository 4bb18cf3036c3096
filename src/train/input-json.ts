/**
 * IN.json for `seqloom forward` / `seqloom decode` (SPEC-FORMAT.md, the CLI contract):
 *   seq2seq:        {"vocab": {"source": Vs, "target": Vt}, "pad": p, "bos": i, "eos": j,
 *                    "src": [[ids]], "src_len": [n], "tgt_in": [[ids]]}
 *   language model: {"vocab": {"tokens": V}, "tokens": [[ids]]}
 * Ids index the vocabularies directly. Every malformed input is a UserError that names the file and
 * the JSON path (`in.json: src[1][3]: id 57 is out of range ...`), never a stack trace.
 */
import { UserError } from '../errors.js';

export interface Seq2SeqInput {
  task: 'seq2seq';
  vocab: { source: number; target: number };
  pad: number; bos: number; eos: number;
  /** Row-major [B, T_src]. */
  src: Int32Array; srcLen: Int32Array; batch: number; srcT: number;
  /** Row-major [B, T_tgt], or null when absent (decode does not need it). */
  tgtIn: Int32Array | null; tgtT: number;
}

export interface LmInput {
  task: 'language-model';
  vocab: { tokens: number };
  /** Row-major [B, T]. */
  tokens: Int32Array; batch: number; T: number;
}

export type ModelInput = Seq2SeqInput | LmInput;

/** Vocabulary sizes above this are refused before any parameter is allocated. */
export const MAX_VOCAB = 1 << 24;

const SEQ2SEQ_KEYS = ['vocab', 'pad', 'bos', 'eos', 'src', 'src_len', 'tgt_in'];
const LM_KEYS = ['vocab', 'tokens'];
const SEQ2SEQ_SHAPE = '{"vocab": {"source": Vs, "target": Vt}, "pad": p, "bos": i, "eos": j, "src": [[ids]], "src_len": [n], "tgt_in": [[ids]]}';
const LM_SHAPE = '{"vocab": {"tokens": V}, "tokens": [[ids]]}';

export interface ParseInputOptions {
  /** File name used in messages. */
  file: string;
  task: 'seq2seq' | 'language-model';
  /** forward needs `tgt_in`; decode does not. */
  needTarget: boolean;
  /** Called with notes that are not errors (unknown keys). */
  warn?: (message: string) => void;
}

/** Parses and validates the text of an IN.json file. */
export function parseModelInput(text: string, opts: ParseInputOptions): ModelInput {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${opts.file}: not valid JSON: ${(e as Error).message}`);
  }
  return validateModelInput(json, opts);
}

export function validateModelInput(json: unknown, opts: ParseInputOptions): ModelInput {
  const at = (path: string, msg: string): UserError =>
    new UserError(`${opts.file}: ${path}: ${msg}`, `expected ${opts.task === 'seq2seq' ? SEQ2SEQ_SHAPE : LM_SHAPE}`);
  if (!isPlainObject(json)) throw at('(root)', `expected a JSON object, got ${describe(json)}`);
  const known = opts.task === 'seq2seq' ? SEQ2SEQ_KEYS : LM_KEYS;
  if (opts.task === 'seq2seq' && !('src' in json) && 'tokens' in json) {
    throw at('(root)', 'this looks like language-model input ("tokens"), but the spec is a seq2seq model');
  }
  if (opts.task === 'language-model' && !('tokens' in json) && 'src' in json) {
    throw at('(root)', 'this looks like seq2seq input ("src"), but the spec is a language model');
  }
  const unknown = Object.keys(json).filter((k) => !known.includes(k));
  if (unknown.length > 0) opts.warn?.(`${opts.file}: ignoring unknown key(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}`);

  const vocab = json.vocab;
  if (!isPlainObject(vocab)) throw at('vocab', `expected an object of vocabulary sizes, got ${describe(vocab)}`);
  const size = (key: string): number => {
    const v = vocab[key];
    if (v === undefined) throw at(`vocab.${key}`, 'missing');
    if (!Number.isInteger(v) || (v as number) < 1) throw at(`vocab.${key}`, `expected a positive integer, got ${describe(v)}`);
    if ((v as number) > MAX_VOCAB) throw at(`vocab.${key}`, `${v} is too large (at most ${MAX_VOCAB})`);
    return v as number;
  };

  if (opts.task === 'language-model') {
    const V = size('tokens');
    const m = intMatrix(json.tokens, 'tokens', V, 'the token vocabulary', at);
    return { task: 'language-model', vocab: { tokens: V }, tokens: m.data, batch: m.rows, T: m.cols };
  }

  const Vs = size('source');
  const Vt = size('target');
  const special = (key: 'pad' | 'bos' | 'eos'): number => {
    const v = json[key];
    if (v === undefined) throw at(key, 'missing');
    if (!Number.isInteger(v)) throw at(key, `expected an integer id, got ${describe(v)}`);
    const id = v as number;
    if (id < 0 || id >= Vt) throw at(key, `id ${id} is out of range for the target vocabulary (size ${Vt})`);
    if (key === 'pad' && id >= Vs) throw at(key, `id ${id} is out of range for the source vocabulary (size ${Vs})`);
    return id;
  };
  const pad = special('pad');
  const bos = special('bos');
  const eos = special('eos');
  if (pad === bos || pad === eos || bos === eos) {
    throw at('pad/bos/eos', `the special ids must differ (pad ${pad}, bos ${bos}, eos ${eos})`);
  }
  const src = intMatrix(json.src, 'src', Vs, 'the source vocabulary', at);
  const lens = json.src_len;
  if (lens === undefined) throw at('src_len', 'missing');
  if (!Array.isArray(lens)) throw at('src_len', `expected an array of lengths, got ${describe(lens)}`);
  if (lens.length !== src.rows) throw at('src_len', `has ${lens.length} entries but src has ${src.rows} rows`);
  const srcLen = new Int32Array(src.rows);
  lens.forEach((n, i) => {
    if (!Number.isInteger(n)) throw at(`src_len[${i}]`, `expected an integer, got ${describe(n)}`);
    if ((n as number) < 1 || (n as number) > src.cols) {
      throw at(`src_len[${i}]`, `length ${n} must be between 1 and the padded source length ${src.cols}`);
    }
    srcLen[i] = n as number;
  });
  let tgtIn: Int32Array | null = null;
  let tgtT = 0;
  if (json.tgt_in !== undefined || opts.needTarget) {
    if (json.tgt_in === undefined) throw at('tgt_in', 'missing (forward needs the teacher-forced decoder input)');
    const tgt = intMatrix(json.tgt_in, 'tgt_in', Vt, 'the target vocabulary', at);
    if (tgt.rows !== src.rows) throw at('tgt_in', `has ${tgt.rows} rows but src has ${src.rows}`);
    tgtIn = tgt.data;
    tgtT = tgt.cols;
  }
  return {
    task: 'seq2seq', vocab: { source: Vs, target: Vt }, pad, bos, eos,
    src: src.data, srcLen, batch: src.rows, srcT: src.cols, tgtIn, tgtT,
  };
}

/** A non-empty rectangular matrix of ids in [0, V). */
function intMatrix(
  value: unknown, name: string, V: number, vocabName: string,
  at: (path: string, msg: string) => UserError,
): { data: Int32Array; rows: number; cols: number } {
  if (value === undefined) throw at(name, 'missing');
  if (!Array.isArray(value)) throw at(name, `expected an array of id rows, got ${describe(value)}`);
  if (value.length === 0) throw at(name, 'is empty: give at least one row');
  const first = value[0];
  if (!Array.isArray(first)) throw at(`${name}[0]`, `expected an array of ids, got ${describe(first)}`);
  const cols = first.length;
  if (cols === 0) throw at(`${name}[0]`, 'is empty: rows need at least one id');
  const data = new Int32Array(value.length * cols);
  value.forEach((row, r) => {
    if (!Array.isArray(row)) throw at(`${name}[${r}]`, `expected an array of ids, got ${describe(row)}`);
    if (row.length !== cols) {
      throw at(`${name}[${r}]`, `has ${row.length} ids but ${name}[0] has ${cols}: rows must all have the same length (pad them)`);
    }
    row.forEach((id, c) => {
      if (!Number.isInteger(id)) throw at(`${name}[${r}][${c}]`, `expected an integer id, got ${describe(id)}`);
      if ((id as number) < 0 || (id as number) >= V) {
        throw at(`${name}[${r}][${c}]`, `id ${id} is out of range for ${vocabName} (size ${V})`);
      }
      data[r * cols + c] = id as number;
    });
  });
  return { data, rows: value.length, cols };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? v.slice(0, 20) + '…' : v)}`;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}
