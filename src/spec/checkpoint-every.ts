/**
 * `train.checkpoint_every` and `train --checkpoint-every`: how often training saves. One grammar for
 * both: `epoch`, `N epochs`, `N steps`, or a wall interval `N s | N min | N h` (e.g. `500 steps`,
 * `10 min`). The flag also takes a bare number, which counts epochs (its meaning before units).
 */
export type CheckpointEvery =
  | { unit: 'epochs'; n: number }
  | { unit: 'steps'; n: number }
  | { unit: 'seconds'; n: number };

const UNITS: Record<string, { unit: CheckpointEvery['unit']; scale: number; integer: boolean }> = {
  epoch: { unit: 'epochs', scale: 1, integer: true }, epochs: { unit: 'epochs', scale: 1, integer: true },
  step: { unit: 'steps', scale: 1, integer: true }, steps: { unit: 'steps', scale: 1, integer: true },
  s: { unit: 'seconds', scale: 1, integer: false }, sec: { unit: 'seconds', scale: 1, integer: false },
  second: { unit: 'seconds', scale: 1, integer: false }, seconds: { unit: 'seconds', scale: 1, integer: false },
  m: { unit: 'seconds', scale: 60, integer: false }, min: { unit: 'seconds', scale: 60, integer: false },
  minute: { unit: 'seconds', scale: 60, integer: false }, minutes: { unit: 'seconds', scale: 60, integer: false },
  h: { unit: 'seconds', scale: 3600, integer: false }, hour: { unit: 'seconds', scale: 3600, integer: false },
  hours: { unit: 'seconds', scale: 3600, integer: false },
};

/** The JSON-schema pattern for the spec key (kept in step with `parseCheckpointEvery`). */
export const CHECKPOINT_EVERY_PATTERN = '^\\s*(epoch|\\d+(\\.\\d+)?\\s*(epochs?|steps?|s|sec|seconds?|m|min|minutes?|h|hours?))\\s*$';

/**
 * Parses one of the forms above; `bareNumberIsEpochs` for the CLI flag. Returns an error message
 * (what is wrong, with the accepted forms) instead of throwing, so each caller reports it its way.
 */
export function parseCheckpointEvery(text: string, bareNumberIsEpochs = false): CheckpointEvery | { error: string } {
  const forms = 'expected `epoch`, `N epochs`, `N steps`, or a time such as `30 s`, `10 min`, `2 h`';
  const s = text.trim().toLowerCase();
  if (s === 'epoch') return { unit: 'epochs', n: 1 };
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(s);
  if (!m) return { error: forms };
  const value = Number(m[1]);
  if (m[2] === '') {
    if (!bareNumberIsEpochs) return { error: `${forms} (a unit is needed)` };
    m[2] = 'epochs';
  }
  const unit = UNITS[m[2]!];
  if (!unit) return { error: `unknown unit "${m[2]}": ${forms}` };
  if (unit.integer && !Number.isInteger(value)) return { error: `${unit.unit} must be a whole number, got ${m[1]}` };
  const n = value * unit.scale;
  if (!(n > 0) || !Number.isFinite(n)) return { error: `the interval must be positive, got ${m[1]}` };
  return { unit: unit.unit, n };
}

/** `2 epochs`, `500 steps`, `10 min`: the interval as the user would write it. */
export function describeCheckpointEvery(e: CheckpointEvery): string {
  if (e.unit !== 'seconds') return `${e.n} ${e.n === 1 ? e.unit.slice(0, -1) : e.unit}`;
  if (e.n % 3600 === 0) return `${e.n / 3600} h`;
  if (e.n % 60 === 0) return `${e.n / 60} min`;
  return `${e.n} s`;
}
