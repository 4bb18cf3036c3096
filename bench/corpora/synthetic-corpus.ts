/**
 * A synthetic parallel corpus for memory measurements: `lines` pairs of 3–20 words drawn from a
 * Zipf distribution over 60,000 random "words" per side, written as source<TAB>target lines.
 * Deterministic (mulberry32), so every run measures the same bytes.
 */
import { createWriteStream } from 'node:fs';
import { mulberry32, type RandomSource } from '../../src/runtime/data/rng.js';

const LETTERS = 'abcdefghijklmnopqrstuvwxyzéèàç';

function lexicon(rng: RandomSource, size: number): string[] {
  const words = new Set<string>();
  while (words.size < size) {
    const n = 2 + Math.floor(rng.next() * 9);
    let w = '';
    for (let i = 0; i < n; i++) w += LETTERS[Math.floor(rng.next() * LETTERS.length)];
    words.add(w);
  }
  return [...words];
}

/** Inverse-CDF sampling of a Zipf(1) rank over `n` words. */
function zipfSampler(rng: RandomSource, n: number): () => number {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < n; r++) cdf[r] = total += 1 / (r + 1);
  return () => {
    const u = rng.next() * total;
    let lo = 0, hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1; else hi = mid;
    }
    return lo;
  };
}

export async function writeSyntheticCorpus(file: string, lines: number, seed = 1): Promise<number> {
  const rng = mulberry32(seed);
  const src = lexicon(rng, 60_000), tgt = lexicon(rng, 60_000);
  const pickSrc = zipfSampler(rng, src.length), pickTgt = zipfSampler(rng, tgt.length);
  const out = createWriteStream(file);
  let bytes = 0;
  let buffer = '';
  for (let i = 0; i < lines; i++) {
    const n = 3 + Math.floor(rng.next() * 18);
    const m = Math.max(1, n + Math.floor(rng.next() * 5) - 2);
    const s = Array.from({ length: n }, () => src[pickSrc()]!).join(' ');
    const t = Array.from({ length: m }, () => tgt[pickTgt()]!).join(' ');
    buffer += `${s} .\t${t} .\n`;
    if (buffer.length > 1 << 20) {
      bytes += Buffer.byteLength(buffer);
      if (!out.write(buffer)) await new Promise<void>((r) => { out.once('drain', () => r()); });
      buffer = '';
    }
  }
  bytes += Buffer.byteLength(buffer);
  out.write(buffer);
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return bytes;
}
