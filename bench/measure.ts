/**
 * How every figure in the benchmark is measured: the two sides run interleaved in one process
 * (A B A B …, the order of each pair alternating), after warm-up, and each side's time is the median
 * over its repetitions. A ratio is other / seqloom time (> 1: seqloom is faster). The machine is
 * shared and noisy, so bare times are only context; ratios from one interleaved run are the figures.
 */
import { readFileSync } from 'node:fs';

export interface Side {
  name: string;
  /** One repetition; returns what it processed (tokens, sentences…) for throughput, or nothing. */
  run: () => number | void | Promise<number | void>;
}

export interface SideTiming {
  name: string;
  /** Median seconds per repetition. */
  median: number;
  /** All measured repetitions, seconds, in run order. */
  samples: number[];
  /** Units processed per second at the median (when `run` returned a count). */
  perSecond: number | null;
}

export interface Interleaved { sides: SideTiming[]; rounds: number }

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Runs `warmup` then `rounds` rounds; in each round every side runs once, the order rotating each
 * round so no side always follows the same neighbour. `onRound` reports progress.
 */
export async function interleave(
  sides: Side[], rounds: number, warmup: number, onRound?: (done: number, total: number) => void,
): Promise<Interleaved> {
  for (let w = 0; w < warmup; w++) for (const side of sides) await side.run();
  const samples = sides.map(() => [] as number[]);
  const units = sides.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < sides.length; j++) {
      const i = (r + j) % sides.length;
      const t0 = performance.now();
      const n = await sides[i]!.run();
      samples[i]!.push((performance.now() - t0) / 1000);
      if (typeof n === 'number') units[i]!.push(n);
    }
    onRound?.(r + 1, rounds);
  }
  return {
    rounds,
    sides: sides.map((side, i) => {
      const m = median(samples[i]!);
      const u = units[i]!.length > 0 ? median(units[i]!) : null;
      return { name: side.name, median: m, samples: samples[i]!, perSecond: u === null ? null : u / m };
    }),
  };
}

/** Speed ratio seqloom / other from median times: other time ÷ seqloom time. */
export function speedRatio(seqloom: SideTiming, other: SideTiming): number {
  return other.median / seqloom.median;
}

/** Rounds a number for the report (ratios 2 decimals, times 4 significant digits). */
export function round(x: number, digits = 3): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Peak resident set size of this process so far, MB. */
/**
 * This process's peak resident memory, MB: Linux's VmHWM (the high-water mark of this process's
 * own address space), else getrusage's maxRSS. Not maxRSS on Linux: it survives execve, so a
 * worker spawned by a big parent reports the parent's size at spawn time (a bench run once read
 * 1096 MB for a worker whose own peak was 183 MB).
 */
export function peakRssMb(): number {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb !== undefined) return Number(kb) / 1024;
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS / 1024;
}
