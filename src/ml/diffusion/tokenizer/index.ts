export { ClipTokenizer, CLIP_CONTEXT_LENGTH, BOS_TOKEN, EOS_TOKEN } from './clip-tokenizer';
export type { ClipTokenizerData, TokenizeOptions } from './clip-tokenizer';
export { clipTokenizerFromVocabMerges, clipTokenizerFromTokenizerJson } from './load-tokenizer';
export { cleanClipText } from './text-cleaning';
export { padTokenFromConfigs, assumedPadToken, OPENCLIP_VIT_H_WIDTH } from './pad-token';
export type { PadToken, TokenizerConfigFiles } from './pad-token';
