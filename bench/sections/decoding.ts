/**
 * Section 3: decoding N sentences in one batched search call (the way `translate` runs) against
 * translating the same sentences one call each, interleaved; for beam search and for greedy.
 * Also checks that both ways give the same hypotheses (results never depend on the batch).
 */
import type { Hypothesis, Seq2SeqModule } from '../../src/runtime/module.js';
import { searchBatch, type DecodeSettings, type HostSources } from '../../src/train/search.js';
import { interleave, round, speedRatio } from '../measure.js';

export interface DecodeComparison {
  strategy: 'beam' | 'greedy';
  sentences: number;
  beamSize: number;
  /** Median seconds to decode all sentences. */
  batchedSeconds: number;
  loopSeconds: number;
  /** loop time / batched time. */
  ratio: number;
  /** Batched and one-at-a-time results are identical. */
  identical: boolean;
}

export interface DecodePlan { rounds: number; warmup: number }

/** Row i of `sources` alone, as a batch of one. */
function row(sources: HostSources, i: number): HostSources {
  const { srcT } = sources;
  return { src: sources.src.slice(i * srcT, (i + 1) * srcT), srcLen: sources.srcLen.slice(i, i + 1), batch: 1, srcT };
}

function sameHypotheses(a: Hypothesis[][], b: Hypothesis[][]): boolean {
  return a.length === b.length && a.every((list, i) => list.length === b[i]!.length
    && list.every((h, j) => h.tokens.join(' ') === b[i]![j]!.tokens.join(' ')));
}

export async function compareDecoding(
  module: Seq2SeqModule, sources: HostSources, settings: DecodeSettings,
  specials: { bos: number; eos: number; pad: number }, plan: DecodePlan,
  onRound?: (done: number, total: number) => void,
): Promise<DecodeComparison> {
  const rows = Array.from({ length: sources.batch }, (_, i) => row(sources, i));
  const batched = (): Hypothesis[][] => searchBatch(module, sources, settings, specials);
  const loop = (): Hypothesis[][] => rows.map((r) => searchBatch(module, r, settings, specials)[0]!);
  const identical = sameHypotheses(batched(), loop());
  const result = await interleave([
    { name: 'batched', run: () => { batched(); } },
    { name: 'loop', run: () => { loop(); } },
  ], plan.rounds, plan.warmup, onRound);
  const [b, l] = result.sides as [typeof result.sides[0], typeof result.sides[0]];
  return {
    strategy: settings.strategy === 'greedy' ? 'greedy' : 'beam',
    sentences: sources.batch, beamSize: settings.strategy === 'greedy' ? 1 : settings.beamSize,
    batchedSeconds: round(b.median, 4), loopSeconds: round(l.median, 4),
    ratio: round(speedRatio(b, l), 2), identical,
  };
}
