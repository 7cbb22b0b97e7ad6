import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import {
  clipTokenizerFromTokenizerJson,
  clipTokenizerFromVocabMerges,
  cleanClipText,
} from '../../../src/ml/diffusion/tokenizer';
import { TOKENIZER_DIR, readJson, readText } from './fixtures';

interface TokenizationCase {
  index: number;
  text: string;
  cleaned_text: string;
  bpe_ids: number[];
  input_ids_sd_pad_eot: number[];
  input_ids_openai_pad_zero: number[];
}

const reference = readJson<{ cases: TokenizationCase[] }>(resolve(TOKENIZER_DIR, 'tokenizations.json'));
const tokenizer = clipTokenizerFromVocabMerges(
  readText(resolve(TOKENIZER_DIR, 'vocab.json')),
  readText(resolve(TOKENIZER_DIR, 'merges.txt')),
);

describe('CLIP tokenizer against openai/CLIP + ftfy references', () => {
  it('has all 34 cases', () => expect(reference.cases).toHaveLength(34));

  it.each(reference.cases.map((c) => [c.index, c] as const))('case %i', (_i, c) => {
    expect(cleanClipText(c.text)).toBe(c.cleaned_text);
    expect(tokenizer.encode(c.text)).toEqual(c.bpe_ids);
    expect(Array.from(tokenizer.tokenize(c.text))).toEqual(c.input_ids_sd_pad_eot);
    expect(Array.from(tokenizer.tokenize(c.text, { padId: 0 }))).toEqual(c.input_ids_openai_pad_zero);
  });

  it('matches the README check value', () => {
    const ids = Array.from(tokenizer.tokenize('a photograph of an astronaut riding a horse')).slice(0, 10);
    expect(ids).toEqual([49406, 320, 8853, 539, 550, 18376, 6765, 320, 4558, 49407]);
  });

  it('loads the same vocabulary from a tokenizer.json (both merge encodings)', () => {
    const vocab = JSON.parse(readText(resolve(TOKENIZER_DIR, 'vocab.json'))) as Record<string, number>;
    const mergeLines = readText(resolve(TOKENIZER_DIR, 'merges.txt')).split('\n').slice(1).filter(Boolean);
    const prompt = 'frontal chest radiograph, right lower lobe consolidation';
    for (const merges of [mergeLines, mergeLines.map((m) => m.split(' '))]) {
      const fromJson = clipTokenizerFromTokenizerJson(JSON.stringify({ model: { type: 'BPE', vocab, merges } }));
      expect(fromJson.encode(prompt)).toEqual(tokenizer.encode(prompt));
    }
  });

  it('rejects a vocabulary without the CLIP special tokens', () => {
    expect(() => clipTokenizerFromVocabMerges('{"a</w>": 0}', '#version: 0.2\n')).toThrow(/startoftext/);
  });
});
