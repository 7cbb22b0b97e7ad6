// The parts of python-ftfy 6.3 `fix_text` (default config) that matter for CLIP prompts,
// applied in ftfy's order and repeated until the text stops changing, as ftfy does.
//
// Covered: HTML unescape when the text has no '<' (ftfy's "auto"), UTF-8 mojibake
// decoded as windows-1252/latin-1 (sequence by sequence), C1 controls read as
// windows-1252, Latin ligatures, full-width/half-width forms, curly quotes, line breaks,
// terminal escapes, control-character removal and NFC.
//
// Not covered: ftfy's "badness" heuristic (it only repairs text it scores as bad; we
// repair any well-formed UTF-8-as-windows-1252 sequence), mojibake through other
// encodings (latin-2, windows-1250/1251, MacRoman, cp437), `restore_byte_a0` and
// `replace_lossy_sequences`, and surrogate-pair repair.
import { htmlUnescape } from './html-unescape';

// windows-1252 bytes 0x80..0x9f; ftfy's "sloppy" codec maps the 5 undefined ones to C1.
const CP1252_HIGH =
  '\u20ac\x81\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\x8d\u017d\x8f' +
  '\x90\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\x9d\u017e\u0178';

const UNICODE_TO_CP1252 = new Map<string, number>();
for (let b = 0; b < 256; b++) {
  const ch = b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80] : String.fromCharCode(b);
  UNICODE_TO_CP1252.set(ch, b);
}

const cont = `[${[...UNICODE_TO_CP1252].filter(([, b]) => b >= 0x80 && b < 0xc0).map(([c]) => c).join('')}]`;
const lead = (lo: number, hi: number) => `[${String.fromCharCode(lo)}-${String.fromCharCode(hi)}]`;
// A UTF-8 multi-byte sequence whose bytes were decoded one by one as windows-1252.
const MOJIBAKE = new RegExp(
  `${lead(0xc2, 0xdf)}${cont}|${lead(0xe0, 0xef)}${cont}{2}|${lead(0xf0, 0xf4)}${cont}{3}`,
  'g',
);

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function fixMojibake(text: string): string {
  return text.replace(MOJIBAKE, (seq) => {
    const bytes = Uint8Array.from([...seq].map((c) => UNICODE_TO_CP1252.get(c) ?? 0));
    try {
      return utf8Strict.decode(bytes);
    } catch {
      return seq; // overlong or surrogate encodings: not mojibake, keep as written
    }
  });
}

function fixC1Controls(text: string): string {
  return text.replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]);
}

const LIGATURES: Record<string, string> = {
  'Ĳ': 'IJ', 'ĳ': 'ij', 'ŉ': 'ʼn', 'Ǳ': 'DZ', 'ǲ': 'Dz', 'ǳ': 'dz', 'Ǆ': 'DŽ', 'ǅ': 'Dž', 'ǆ': 'dž',
  'Ǉ': 'LJ', 'ǈ': 'Lj', 'ǉ': 'lj', 'Ǌ': 'NJ', 'ǋ': 'Nj', 'ǌ': 'nj', 'ﬀ': 'ff', 'ﬁ': 'fi', 'ﬂ': 'fl',
  'ﬃ': 'ffi', 'ﬄ': 'ffl', 'ﬅ': 'ſt', 'ﬆ': 'st',
};
const LIGATURE_RE = new RegExp(`[${Object.keys(LIGATURES).join('')}]`, 'g');

// ftfy's width map: U+3000 → space, and each char in U+FF01..U+FFEF whose NFKC differs.
function fixCharacterWidth(text: string): string {
  return text.replace(/[\u3000\uff01-\uffef]/g, (c) => (c === '\u3000' ? ' ' : c.normalize('NFKC')));
}

function uncurlQuotes(text: string): string {
  return text.replace(/[\u02bc\u2018-\u201b]/g, "'").replace(/[\u201c-\u201f]/g, '"');
}

function fixLineBreaks(text: string): string {
  return text.replace(/\r\n|[\r\u2028\u2029\x85]/g, '\n');
}

function removeTerminalEscapes(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching ESC sequences is the point
  return text.replace(/\x1b\[((?:\d|;)*)([a-zA-Z])/g, '');
}

// ftfy's CONTROL_CHARS: C0 except tab/LF/FF/CR, DEL, deprecated format chars, BOM, annotation chars.
function removeControlChars(text: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return text.replace(/[\x00-\x08\x0b\x0e-\x1f\x7f\u206a-\u206f\ufeff\ufff9-\ufffc]/g, '');
}

export function fixText(input: string): string {
  const unescape = !input.includes('<');
  let text = input;
  for (let pass = 0; pass < 16; pass++) {
    const before = text;
    if (unescape) text = htmlUnescape(text);
    text = fixMojibake(text);
    text = fixC1Controls(text);
    text = text.replace(LIGATURE_RE, (c) => LIGATURES[c]);
    text = fixCharacterWidth(text);
    text = uncurlQuotes(text);
    text = fixLineBreaks(text);
    text = removeTerminalEscapes(text);
    text = removeControlChars(text);
    text = text.normalize('NFC');
    if (text === before) break;
  }
  return text;
}
