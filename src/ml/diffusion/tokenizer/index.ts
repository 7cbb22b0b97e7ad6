export { ClipTokenizer, CLIP_CONTEXT_LENGTH, BOS_TOKEN, EOS_TOKEN } from './clip-tokenizer';
export type { ClipTokenizerData, TokenizeOptions } from './clip-tokenizer';
export { clipTokenizerFromVocabMerges, clipTokenizerFromTokenizerJson } from './load-tokenizer';
export { cleanClipText } from './text-cleaning';
export { padTokenFromConfigs, assumedPadToken } from './pad-token';
export type { PadToken } from './pad-token';
