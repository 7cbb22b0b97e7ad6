// Which token fills the 77-token context after EOS. The text encoder's hidden states at
// the padded positions go into cross-attention, so the pad id changes the conditioning:
// SD-1.x pads with <|endoftext|>, SD-2.x (and SD-Turbo) with "!" (id 0). diffusers takes it
// from the tokenizer folder; transformers lets special_tokens_map.json override
// tokenizer_config.json, and a fast-only folder states it in tokenizer.json's `padding`.
import { EOS_TOKEN } from './clip-tokenizer';

type Json = Record<string, unknown>;

export interface PadToken {
  token: string;
  /** the file it came from, or why it was assumed */
  from: string;
  /** true when no tokenizer file named it */
  assumed: boolean;
}

interface TokenizerConfigFiles {
  specialTokensMap?: Json;
  tokenizerConfig?: Json;
  tokenizerJson?: Json;
}

// transformers serialises special tokens as a string or as an AddedToken {content, …}.
function tokenText(v: unknown): string | undefined {
  if (typeof v === 'string' && v.length > 0) return v;
  if (v && typeof v === 'object' && typeof (v as Json).content === 'string') return (v as Json).content as string;
  return undefined;
}

/** The pad token the tokenizer files name, in transformers' order of precedence. */
export function padTokenFromConfigs(files: TokenizerConfigFiles): PadToken | undefined {
  const fromMap = tokenText(files.specialTokensMap?.pad_token);
  if (fromMap) return { token: fromMap, from: 'tokenizer/special_tokens_map.json', assumed: false };
  const fromConfig = tokenText(files.tokenizerConfig?.pad_token);
  if (fromConfig) return { token: fromConfig, from: 'tokenizer/tokenizer_config.json', assumed: false };
  const padding = files.tokenizerJson?.padding;
  const fromJson = padding && typeof padding === 'object' ? tokenText((padding as Json).pad_token) : undefined;
  if (fromJson) return { token: fromJson, from: 'tokenizer/tokenizer.json (padding)', assumed: false };
  return undefined;
}

/** Hidden width of OpenCLIP ViT-H/14, the text encoder of SD-2.x and SD-Turbo. */
const OPENCLIP_VIT_H_WIDTH = 1024;

/**
 * The pad token when no tokenizer file names one (some ONNX exports ship only vocab.json +
 * merges.txt): "!" for a 1024-wide text encoder (the SD-2.x family), <|endoftext|> otherwise.
 */
export function assumedPadToken(textEncoderWidth: number | undefined): PadToken {
  if (textEncoderWidth === OPENCLIP_VIT_H_WIDTH) {
    return { token: '!', from: `no tokenizer special-token config; the ${OPENCLIP_VIT_H_WIDTH}-wide text encoder is SD-2.x's OpenCLIP ViT-H, whose tokenizer pads with "!"`, assumed: true };
  }
  const width = textEncoderWidth === undefined ? 'of unknown width' : `${textEncoderWidth} wide`;
  return { token: EOS_TOKEN, from: `no tokenizer special-token config; the text encoder is ${width}, so padded with ${EOS_TOKEN} as SD-1.x's tokenizer`, assumed: true };
}
