import type { DataSpec, StreamSpec } from '../../../src/spec/types.js';

export function stream(over: Partial<StreamSpec> = {}): StreamSpec {
  return { tokenizer: 'word', min_freq: 1, max_len: 10, ...over };
}

/** A normalized DataSpec as the front end would produce it, with test overrides. */
export function dataSpec(over: Partial<DataSpec> = {}): DataSpec {
  return {
    path: null, resolvedPath: null, format: 'tsv', limit: null, preprocess: [], on_bad_line: 'error',
    valid_fraction: 0, source: stream(), target: stream(), ...over,
  };
}
