// GPT-2/CLIP reversible byte→unicode table (openai/CLIP simple_tokenizer.bytes_to_unicode):
// printable Latin-1 bytes map to themselves, the other 68 bytes to U+0100.. in byte order,
// so BPE runs over strings with no whitespace or control characters.
function buildByteToUnicode(): string[] {
  const table = new Array<string>(256);
  const isPrintable = (b: number) =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let next = 0;
  for (let b = 0; b < 256; b++) {
    table[b] = String.fromCodePoint(isPrintable(b) ? b : 256 + next++);
  }
  return table;
}

export const BYTE_TO_UNICODE: readonly string[] = buildByteToUnicode();

const utf8 = new TextEncoder();

export function bytesToUnicodeString(text: string): string {
  let out = '';
  for (const b of utf8.encode(text)) out += BYTE_TO_UNICODE[b];
  return out;
}
