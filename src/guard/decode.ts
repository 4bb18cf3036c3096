/**
 * Bounds on a search before it starts (translate, eval, decode): a search runs one model step per
 * output token, so `max_len` is a number of steps, and a beam keeps `beam_size` hypotheses per
 * sentence, each expanded over the whole target vocabulary every step. Refused, with the flag to
 * change named:
 *   - max_len above MAX_DECODE_LEN or beam_size above MAX_BEAM_SIZE (a search that would run for
 *     hours: `--max-len 1000000000` used to hang, `--beam 50000000` too);
 *   - an estimate of the search's memory above what the backend can use:
 *       batch × hypotheses × (V × 8 bytes: log-probabilities and their ranking copy
 *                             + 32 bytes: the candidate lists, twice the beam
 *                             + max_len × 8 bytes: each hypothesis's tokens).
 */
import { UserError } from '../errors.js';
import { formatBytes, memoryBudget, type MemoryProbe } from './memory.js';
import { systemMemoryProbe } from './system-memory.js';

export const MAX_DECODE_LEN = 10_000;
export const MAX_BEAM_SIZE = 10_000;

export interface DecodeRequest {
  strategy: 'greedy' | 'beam' | 'exhaustive';
  beamSize: number;
  maxLen: number;
  /** Sentences searched together. */
  batch: number;
  /** Target vocabulary size (0 when unknown). */
  vocab: number;
}

/** Bytes a greedy or beam search may hold at its peak (see the file comment). */
export function decodeMemory(r: DecodeRequest): number {
  const hypotheses = r.strategy === 'beam' ? r.beamSize : 1;
  return r.batch * hypotheses * (8 * r.vocab + 32 + 8 * r.maxLen);
}

/** `sample --len N`: one model step per token, bounded like a search's max length. */
export function guardSampleLength(length: number): void {
  if (length > MAX_DECODE_LEN) {
    throw new UserError(`--len ${length} is over seqloom's limit of ${MAX_DECODE_LEN} tokens (sampling runs one step per token)`,
      'pass a smaller --len');
  }
}

export function guardDecode(r: DecodeRequest, backend: string, probe: MemoryProbe = systemMemoryProbe): void {
  if (r.maxLen > MAX_DECODE_LEN) {
    throw new UserError(`max length ${r.maxLen} is over seqloom's limit of ${MAX_DECODE_LEN} tokens (a search runs one step per token)`,
      `pass a smaller --max-len (or decode.max_len)`);
  }
  if (r.strategy === 'beam' && r.beamSize > MAX_BEAM_SIZE) {
    throw new UserError(`beam size ${r.beamSize} is over seqloom's limit of ${MAX_BEAM_SIZE}`, 'pass a smaller --beam / --beam-size (or decode.beam_size)');
  }
  if (r.strategy === 'exhaustive') return; // the exhaustive search bounds its own candidates
  const need = decodeMemory(r);
  const budget = memoryBudget(backend, probe);
  if (need > budget.bytes) {
    const what = r.strategy === 'beam' ? `a beam of ${r.beamSize} over ${r.batch} sentence(s)` : `${r.batch} sentence(s)`;
    throw new UserError(`decoding ${what} with a ${r.vocab}-word target vocabulary up to ${r.maxLen} tokens needs about `
      + `${formatBytes(need)}, more than the ${formatBytes(budget.bytes)} available (${budget.limitedBy})`,
    'use a smaller beam (--beam), a smaller --max-len, or fewer sentences at once');
  }
}
