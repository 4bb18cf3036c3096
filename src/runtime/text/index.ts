/** Text: preprocessing steps, tokenizers, vocabularies. */
export { preprocess, applyPreprocessStep, PREPROCESS_STEPS } from './preprocess.js';
export { tokenize, detokenize } from './tokenize.js';
export { TokenTypes, countTypes } from './token-types.js';
export {
  learnBpe, BpeModel, joinSubwords, compareCodePoints, END_OF_WORD, SUBWORD_MARKER, type BpeMerge, type BpeJSON, type LearnBpeOptions,
} from './bpe.js';
export {
  Vocab, SPECIAL_TOKENS, MIN_VOCAB_SIZE, PAD_TOKEN, UNK_TOKEN, BOS_TOKEN, EOS_TOKEN,
  type VocabJSON,
} from './vocab.js';
