// A small CLIP-format BPE vocabulary for the built-in demo pipeline: the 256 byte symbols
// (alone and word-final), one merge chain per listed word so each becomes one token, and
// the CLIP start/end tokens. Written as vocab.json + merges.txt, so the demo pipeline goes
// through the same tokenizer loader as a downloaded SD-1.x pipeline; any text tokenizes
// (unknown words fall back to byte symbols).
import { BYTE_TO_UNICODE, bytesToUnicodeString } from '../tokenizer/byte-unicode';
import { BOS_TOKEN, EOS_TOKEN } from '../tokenizer';

const WORD_END = '</w>';

/** Words the demo text encoder attaches meaning to: airspace-opacity findings. */
export const DEMO_FINDING_WORDS: readonly string[] = [
  'bronchopneumonia', 'consolidations', 'consolidation', 'pneumonia', 'infiltrates', 'infiltrate',
  'opacities', 'opacity',
];

/** Further words merged whole only so the study's prompts stay short in tokens. */
const PLAIN_WORDS: readonly string[] = ['pediatric', 'showing', 'chest', 'ray', 'normal', 'radiograph'];

export interface DemoVocabulary {
  /** vocab.json content (token → id) */
  vocab: Record<string, number>;
  /** merges.txt content: "#version" line then one merge per line, in rank order */
  mergesTxt: string;
  /** the whole-word token of each listed word (with the word-end marker) */
  wordTokens: Record<string, string>;
}

export function buildDemoVocabulary(): DemoVocabulary {
  const tokens: string[] = [...BYTE_TO_UNICODE, ...BYTE_TO_UNICODE.map((c) => c + WORD_END)];
  const seen = new Set(tokens);
  const merges: string[] = [];
  const wordTokens: Record<string, string> = {};
  // Longest words first: a word's chain then completes before shorter words' first merges
  // (which may occur inside it, e.g. "pn" in bronchopneumonia) are ranked.
  const words = [...DEMO_FINDING_WORDS, ...PLAIN_WORDS].sort((a, b) => b.length - a.length || a.localeCompare(b));
  for (const word of words) {
    const symbols = [...bytesToUnicodeString(word)];
    symbols[symbols.length - 1] += WORD_END;
    let prefix = symbols[0];
    for (const next of symbols.slice(1)) {
      const merged = prefix + next;
      if (!seen.has(merged)) {
        merges.push(`${prefix} ${next}`);
        tokens.push(merged);
        seen.add(merged);
      }
      prefix = merged;
    }
    wordTokens[word] = prefix;
  }
  tokens.push(BOS_TOKEN, EOS_TOKEN);
  const vocab: Record<string, number> = {};
  tokens.forEach((t, i) => (vocab[t] = i));
  return { vocab, mergesTxt: ['#version: 0.2', ...merges].join('\n') + '\n', wordTokens };
}
