// Builds a ClipTokenizer from the Hugging Face file layouts: `vocab.json` + `merges.txt`
// (CLIPTokenizer) or a single `tokenizer.json` (tokenizers' BPE model).
import { ClipTokenizer } from './clip-tokenizer';

function parseMergeLine(line: string): [string, string] {
  const parts = line.split(' ');
  if (parts.length !== 2) throw new Error(`malformed BPE merge ${JSON.stringify(line)}`);
  return [parts[0], parts[1]];
}

function toVocabMap(vocab: unknown, source: string): Map<string, number> {
  if (!vocab || typeof vocab !== 'object') throw new Error(`${source}: vocabulary is not an object`);
  const map = new Map<string, number>();
  for (const [token, id] of Object.entries(vocab as Record<string, unknown>)) {
    if (typeof id !== 'number') throw new Error(`${source}: id of ${JSON.stringify(token)} is not a number`);
    map.set(token, id);
  }
  return map;
}

export function clipTokenizerFromVocabMerges(vocabJson: string, mergesTxt: string): ClipTokenizer {
  const vocab = toVocabMap(JSON.parse(vocabJson), 'vocab.json');
  // HF merges.txt: an optional "#version" header line, then one merge per line.
  const merges = mergesTxt
    .split(/\r?\n/)
    .filter((line, i) => line.length > 0 && !(i === 0 && line.startsWith('#version')))
    .map(parseMergeLine);
  return new ClipTokenizer({ vocab, merges });
}

export function clipTokenizerFromTokenizerJson(tokenizerJson: string): ClipTokenizer {
  const parsed = JSON.parse(tokenizerJson) as { model?: { type?: string; vocab?: unknown; merges?: unknown } };
  const model = parsed.model;
  if (!model || model.type !== 'BPE') throw new Error('tokenizer.json: expected a BPE model');
  if (!Array.isArray(model.merges)) throw new Error('tokenizer.json: model.merges is missing');
  // tokenizers ≥ 0.20 writes merges as [left, right] pairs, older versions as "left right".
  const merges = model.merges.map((m: unknown) =>
    Array.isArray(m) && m.length === 2 ? ([String(m[0]), String(m[1])] as [string, string]) : parseMergeLine(String(m)),
  );
  return new ClipTokenizer({ vocab: toVocabMap(model.vocab, 'tokenizer.json'), merges });
}
