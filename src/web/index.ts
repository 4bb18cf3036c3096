/**
 * seqloom/web: load and run a trained model from bytes or URLs, in a browser or in Node
 * (browser-safe; Node extras in ./node.ts). `seqloom export CKPT --web DIR` builds a page on it.
 */
export { loadModel, type ModelSources, type LoadModelOptions, type TranslateFlags, type TranslateOutput, type WebModel } from './model.js';
export { inferenceSpec, parseInferenceSpec, type InferenceSpec } from './spec-json.js';
export { loadBytes, resolveUrl, type Bytes, type Source, type Fetch } from './sources.js';
export type { TranslationResult } from '../train/translate.js';
export type { SampleOutput, SampleTextOptions } from '../train/sample-text.js';
