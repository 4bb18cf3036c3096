/**
 * Decoding searches over any `SearchModel`: greedy, beam (size, length penalty, n-best) and the
 * exhaustive oracle. Batched: one model step per time step for all sentences × hypotheses.
 */
export type {
  SearchModel, DecoderMethods, BatchSearchOptions, GreedySearchOptions, BeamSearchOptions, ExhaustiveSearchOptions,
} from './types.js';
export { DEFAULT_MAX_CANDIDATES, searchModelOf } from './types.js';
export { greedySearch } from './greedy.js';
export { beamSearch } from './beam.js';
export { exhaustiveSearch } from './exhaustive.js';
export { lengthPenalizedScore, bestReachableScore, compareHypotheses } from './scoring.js';
