/** The op emitters, one per op kind. */
import type { GraphNode } from '../../../src/spec/types.js';
import { attentionEmitter } from './attention.js';
import { concatEmitter } from './concat.js';
import { denseEmitter } from './dense.js';
import { dropoutEmitter } from './dropout.js';
import { embeddingEmitter } from './embedding.js';
import { recurrentEmitter } from './recurrent.js';
import { repeatEmitter } from './repeat.js';
import type { OpEmitter } from './types.js';

export const OP_EMITTERS: { [K in GraphNode['op']]: OpEmitter<K> } = {
  embedding: embeddingEmitter,
  recurrent: recurrentEmitter,
  dense: denseEmitter,
  concat: concatEmitter,
  repeat: repeatEmitter,
  dropout: dropoutEmitter,
  attention: attentionEmitter,
};

export function emitterFor<K extends GraphNode['op']>(op: K): OpEmitter<K> {
  return OP_EMITTERS[op];
}
