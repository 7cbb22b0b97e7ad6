// CLIP byte-level BPE tokenizer, following openai/CLIP simple_tokenizer.py (the reference
// for tokenizer-clip/tokenizations.json) and the 77-token framing Stable Diffusion uses.
import { bytesToUnicodeString } from './byte-unicode';
import { cleanClipText } from './text-cleaning';

export const CLIP_CONTEXT_LENGTH = 77;
export const BOS_TOKEN = '<|startoftext|>';
export const EOS_TOKEN = '<|endoftext|>';

// openai/CLIP's pattern. The special tokens come first so a literal "<|endoftext|>" in
// a prompt becomes the special id, as in the reference.
const TOKEN_PATTERN =
  /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+/giu;

export interface TokenizeOptions {
  /** id after EOS: 49407 (EOS) for SD-1.x / HF CLIPTokenizer, 0 for openai `clip.tokenize`. */
  padId?: number;
  contextLength?: number;
}

export interface ClipTokenizerData {
  /** token string → id (vocab.json) */
  vocab: ReadonlyMap<string, number>;
  /** merges in rank order, each "left right" */
  merges: readonly (readonly [string, string])[];
}

export class ClipTokenizer {
  readonly bosId: number;
  readonly eosId: number;
  private readonly vocab: ReadonlyMap<string, number>;
  private readonly ranks = new Map<string, number>();
  private readonly cache = new Map<string, string[]>();

  constructor({ vocab, merges }: ClipTokenizerData) {
    this.vocab = vocab;
    merges.forEach(([a, b], rank) => this.ranks.set(`${a} ${b}`, rank));
    this.bosId = this.tokenId(BOS_TOKEN);
    this.eosId = this.tokenId(EOS_TOKEN);
    this.cache.set(BOS_TOKEN, [BOS_TOKEN]);
    this.cache.set(EOS_TOKEN, [EOS_TOKEN]);
  }

  get vocabSize(): number {
    return this.vocab.size;
  }

  /** BPE ids of the cleaned text, without BOS/EOS and without truncation. */
  encode(text: string): number[] {
    const ids: number[] = [];
    for (const piece of cleanClipText(text).match(TOKEN_PATTERN) ?? []) {
      for (const token of this.bpe(bytesToUnicodeString(piece))) ids.push(this.tokenId(token));
    }
    return ids;
  }

  /**
   * `[BOS] + first (contextLength−2) BPE ids + [EOS]`, padded with `padId`. Equal to HF
   * CLIPTokenizer(padding="max_length", truncation=True) for padId = EOS, and to openai
   * `clip.tokenize(truncate=True)` for padId = 0.
   */
  tokenize(text: string, options: TokenizeOptions = {}): Int32Array {
    const contextLength = options.contextLength ?? CLIP_CONTEXT_LENGTH;
    const padId = options.padId ?? this.eosId;
    const ids = this.encode(text).slice(0, contextLength - 2);
    const out = new Int32Array(contextLength).fill(padId);
    out[0] = this.bosId;
    out.set(ids, 1);
    out[ids.length + 1] = this.eosId;
    return out;
  }

  /** The id of one vocabulary entry (a special token, the pad token); throws when absent. */
  tokenId(token: string): number {
    const id = this.vocab.get(token);
    if (id === undefined) throw new Error(`CLIP vocabulary has no entry for token ${JSON.stringify(token)}`);
    return id;
  }

  // Greedy merging of the lowest-ranked adjacent pair, as simple_tokenizer.bpe.
  private bpe(token: string): string[] {
    const cached = this.cache.get(token);
    if (cached) return cached;
    const chars = [...token];
    let word = [...chars.slice(0, -1), `${chars[chars.length - 1]}</w>`];
    while (word.length > 1) {
      let bestRank = Infinity;
      let best = '';
      for (let i = 0; i < word.length - 1; i++) {
        const rank = this.ranks.get(`${word[i]} ${word[i + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = `${word[i]} ${word[i + 1]}`;
        }
      }
      if (bestRank === Infinity) break;
      const [first, second] = best.split(' ');
      const merged: string[] = [];
      for (let i = 0; i < word.length; ) {
        if (word[i] === first && i < word.length - 1 && word[i + 1] === second) {
          merged.push(first + second);
          i += 2;
        } else {
          merged.push(word[i]);
          i += 1;
        }
      }
      word = merged;
    }
    this.cache.set(token, word);
    return word;
  }
}
