/**
 * Parameter counts (exactly as PyTorch counts them) and forward activation memory per node, for
 * `seqloom graph` and the resource guard. Sizes not known until data loads are injectable; the
 * defaults come from the spec (B = train.batch_size, T = the streams' max_len) and, for vocabulary
 * sizes, a stated guess.
 *
 *   embedding  V·D
 *   recurrent  Σ_layers dirs·(G·H·(In_l + H) + 2·G·H), G = 1 rnn | 3 gru | 4 lstm,
 *              In_0 = input width, In_l = H·dirs (a GRU layer: 3H(In+H) + 6H)
 *   dense      In·Out + Out
 *   attention  additive (d2l): H_a·(Dq + Dk) + H_a (W_q, W_k, w_v, no biases); dot: 0
 *
 * Activations count the float32 values a training forward pass keeps: each node's output, plus a
 * recurrent cell's gate pre-activations and states per step and attention's score tensors.
 */
import type { Spec, StreamName } from '../spec/types.js';
import type { ModelGraph, NodeInfo, TimeAxis, VocabSymbol, Width } from './types.js';

export interface ResourceDims {
  batch: number;
  /** Time steps per axis. */
  time: Record<TimeAxis, number>;
  /** Vocabulary sizes per stream. */
  vocab: Record<StreamName, number>;
}

/** Overrides: anything left out takes the spec's default (or the vocabulary guess). */
export interface ResourceDimsInput {
  batch?: number;
  time?: Partial<Record<TimeAxis, number>>;
  vocab?: Partial<Record<StreamName, number>>;
}

export interface NodeEstimate {
  params: number;
  /** Float32 values kept by a training forward pass. */
  activations: number;
  activationBytes: number;
}

export interface ResourceEstimate {
  dims: ResourceDims;
  /** Dimensions that were guessed rather than given or read from the spec (`V_target`…). */
  guessed: string[];
  nodes: Record<string, NodeEstimate>;
  totalParams: number;
  /** Parameters in float32 bytes (weights only; Adam keeps two more copies). */
  paramBytes: number;
  totalActivations: number;
  totalActivationBytes: number;
}

const GATES = { rnn: 1, gru: 3, lstm: 4 } as const;
const VOCAB_STREAM: Record<VocabSymbol, StreamName> = { V_source: 'source', V_target: 'target', V_tokens: 'tokens' };

/**
 * A vocabulary size when no data has been read: characters ≈ 32 for letters only, else 100; words
 * of the built-in task (no `path`) 64; other words ≈ examples·max_len, capped at 10k.
 */
export function guessVocab(spec: Spec, stream: StreamName): number {
  const s = spec.data[stream];
  if (!s) return 100;
  if (s.tokenizer === 'char') return spec.data.preprocess.includes('letters-only') ? 32 : 100;
  if (spec.data.path === null) return 64;
  return spec.data.limit !== null ? Math.min(10_000, spec.data.limit * s.max_len + 4) : 10_000;
}

export function resolveDims(spec: Spec, input: ResourceDimsInput = {}): { dims: ResourceDims; guessed: string[] } {
  const guessed: string[] = [];
  const vocab = {} as Record<StreamName, number>;
  for (const s of ['source', 'target', 'tokens'] as const) {
    const given = input.vocab?.[s];
    if (given !== undefined) vocab[s] = given;
    else {
      vocab[s] = guessVocab(spec, s);
      if (spec.data[s]) guessed.push(`V_${s}`);
    }
  }
  const lmSteps = spec.data.num_steps ?? spec.data.tokens?.max_len ?? 35;
  const time: Record<TimeAxis, number> = {
    T_src: input.time?.T_src ?? spec.data.source?.max_len ?? 10,
    T_tgt: input.time?.T_tgt ?? spec.data.target?.max_len ?? 10,
    T: input.time?.T ?? lmSteps,
  };
  return { dims: { batch: input.batch ?? spec.train.batch_size, time, vocab }, guessed };
}

export function widthValue(w: Width, dims: ResourceDims): number {
  return typeof w === 'number' ? w : dims.vocab[VOCAB_STREAM[w]];
}

export function countParams(info: NodeInfo, dims: ResourceDims): number {
  const p = info.params;
  if (!p) return 0;
  switch (p.op) {
    case 'embedding': return dims.vocab[VOCAB_STREAM[p.vocab]] * p.dim;
    case 'dense': {
      const out = widthValue(p.outSize, dims);
      return widthValue(p.inSize, dims) * out + out;
    }
    case 'recurrent': {
      const g = GATES[p.cell] * p.hidden;
      let total = 0;
      for (let l = 0; l < p.layers; l++) {
        const input = l === 0 ? widthValue(p.inputSize, dims) : p.hidden * p.dirs;
        total += p.dirs * (g * (input + p.hidden) + 2 * g);
      }
      return total;
    }
    case 'attention': {
      if (p.kind === 'dot' || p.hidden === null) return 0;
      const h = widthValue(p.hidden, dims);
      return h * (widthValue(p.queryDim, dims) + widthValue(p.keyDim, dims)) + h;
    }
  }
}

export function countActivations(info: NodeInfo, dims: ResourceDims): number {
  const b = dims.batch;
  const steps = info.time ? dims.time[info.time] : 1;
  const out = b * steps * widthValue(info.width, dims);
  const p = info.params;
  switch (info.op) {
    case 'dropout': return 2 * out; // output and mask
    case 'recurrent': {
      if (p?.op !== 'recurrent') return out;
      const perStep = p.hidden * (GATES[p.cell] + (p.cell === 'lstm' ? 2 : 1));
      return p.layers * p.dirs * b * steps * perStep;
    }
    case 'attention': {
      if (p?.op !== 'attention') return out;
      const keys = info.inputs.find((i) => i.role === 'keys');
      const tk = keys?.shape.kind === 'sequence' ? dims.time[keys.shape.time] : 1;
      const scores = b * steps * tk;
      const features = p.hidden === null ? 0 : scores * widthValue(p.hidden, dims);
      return features + 2 * scores + out;
    }
    default: return out;
  }
}

export function estimateResources(g: ModelGraph, input?: ResourceDimsInput): ResourceEstimate {
  const { dims, guessed } = resolveDims(g.spec, input);
  const nodes: Record<string, NodeEstimate> = {};
  let totalParams = 0;
  let totalActivations = 0;
  for (const name of g.order) {
    const info = g.nodes[name]!;
    const params = countParams(info, dims);
    const activations = countActivations(info, dims);
    nodes[name] = { params, activations, activationBytes: 4 * activations };
    totalParams += params;
    totalActivations += activations;
  }
  const usedGuesses = guessed.filter((v) => g.order.some((n) => JSON.stringify(g.nodes[n]!.params ?? {}).includes(`"${v}"`)));
  return {
    dims, guessed: usedGuesses, nodes, totalParams, paramBytes: 4 * totalParams, totalActivations,
    totalActivationBytes: 4 * totalActivations,
  };
}
