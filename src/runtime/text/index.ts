/** Text: preprocessing steps, tokenizers, vocabularies. */
export { preprocess, applyPreprocessStep, PREPROCESS_STEPS } from './preprocess.js';
export { tokenize, detokenize } from './tokenize.js';
export {
  Vocab, SPECIAL_TOKENS, PAD_TOKEN, UNK_TOKEN, BOS_TOKEN, EOS_TOKEN,
  type VocabJSON,
} from './vocab.js';
