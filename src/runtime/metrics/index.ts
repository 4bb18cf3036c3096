/** Evaluation metrics: corpus BLEU (sacreBLEU-compatible), the seed's d2l BLEU, perplexity. */
export { corpusBleu, type CorpusBleu } from './corpus-bleu.js';
export { d2lBleu, d2lBleuParts, type D2lBleuParts } from './d2l-bleu.js';
export { whitespaceTokens } from './ngrams.js';
export { perplexity } from './perplexity.js';
