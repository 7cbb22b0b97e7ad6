// Python's html.unescape (Lib/html/__init__.py), which CLIP's basic_clean applies twice.
// Numeric references follow Python exactly (including its table of invalid code points).
// Named references cover only a subset of the 2,231 HTML5 names: the legacy names that
// HTML also accepts without ';' (Latin-1 set, amp/lt/gt/quot) plus common typography.
// Unknown names are left as written, as Python does for names it does not know.

const LATIN1_NAMES = [
  'nbsp', 'iexcl', 'cent', 'pound', 'curren', 'yen', 'brvbar', 'sect', 'uml', 'copy', 'ordf', 'laquo',
  'not', 'shy', 'reg', 'macr', 'deg', 'plusmn', 'sup2', 'sup3', 'acute', 'micro', 'para', 'middot',
  'cedil', 'sup1', 'ordm', 'raquo', 'frac14', 'frac12', 'frac34', 'iquest', 'Agrave', 'Aacute',
  'Acirc', 'Atilde', 'Auml', 'Aring', 'AElig', 'Ccedil', 'Egrave', 'Eacute', 'Ecirc', 'Euml',
  'Igrave', 'Iacute', 'Icirc', 'Iuml', 'ETH', 'Ntilde', 'Ograve', 'Oacute', 'Ocirc', 'Otilde', 'Ouml',
  'times', 'Oslash', 'Ugrave', 'Uacute', 'Ucirc', 'Uuml', 'Yacute', 'THORN', 'szlig', 'agrave',
  'aacute', 'acirc', 'atilde', 'auml', 'aring', 'aelig', 'ccedil', 'egrave', 'eacute', 'ecirc', 'euml',
  'igrave', 'iacute', 'icirc', 'iuml', 'eth', 'ntilde', 'ograve', 'oacute', 'ocirc', 'otilde', 'ouml',
  'divide', 'oslash', 'ugrave', 'uacute', 'ucirc', 'uuml', 'yacute', 'thorn', 'yuml',
];

/** Names valid without a trailing ';' in HTML5 (a subset of Python's html5 table). */
const LEGACY: Record<string, string> = {
  amp: '&', AMP: '&', lt: '<', LT: '<', gt: '>', GT: '>', quot: '"', QUOT: '"', COPY: '©', REG: '®',
};
LATIN1_NAMES.forEach((name, i) => (LEGACY[name] = String.fromCharCode(0xa0 + i)));

const SEMICOLON_ONLY: Record<string, string> = {
  apos: "'", ndash: '–', mdash: '—', lsquo: '‘', rsquo: '’', sbquo: '‚', ldquo: '“', rdquo: '”',
  bdquo: '„', hellip: '…', bull: '•', prime: '′', Prime: '″', trade: '™', euro: '€', dagger: '†',
  Dagger: '‡', permil: '‰', lsaquo: '‹', rsaquo: '›', larr: '←', rarr: '→', uarr: '↑', darr: '↓',
  le: '≤', ge: '≥', ne: '≠', asymp: '≈', minus: '−', infin: '∞', alpha: 'α', beta: 'β', gamma: 'γ',
  delta: 'δ', mu: 'μ', pi: 'π', sigma: 'σ', ensp: '\u2002', emsp: '\u2003', thinsp: '\u2009',
  zwnj: '\u200c', zwj: '\u200d', lrm: '\u200e', rlm: '\u200f', tab: '\t', newline: '\n',
};

const NAMED = new Map<string, string>();
for (const [k, v] of Object.entries(LEGACY)) {
  NAMED.set(k, v);
  NAMED.set(`${k};`, v);
}
for (const [k, v] of Object.entries(SEMICOLON_ONLY)) NAMED.set(`${k};`, v);

// Python html._invalid_charrefs: C1 range read as windows-1252, NUL and CR specials.
const INVALID_CHARREFS: Record<number, string> = {
  0x00: '\ufffd', 0x0d: '\r', 0x80: '\u20ac', 0x81: '\x81', 0x82: '\u201a', 0x83: '\u0192',
  0x84: '\u201e', 0x85: '\u2026', 0x86: '\u2020', 0x87: '\u2021', 0x88: '\u02c6', 0x89: '\u2030',
  0x8a: '\u0160', 0x8b: '\u2039', 0x8c: '\u0152', 0x8d: '\x8d', 0x8e: '\u017d', 0x8f: '\x8f',
  0x90: '\x90', 0x91: '\u2018', 0x92: '\u2019', 0x93: '\u201c', 0x94: '\u201d', 0x95: '\u2022',
  0x96: '\u2013', 0x97: '\u2014', 0x98: '\u02dc', 0x99: '\u2122', 0x9a: '\u0161', 0x9b: '\u203a',
  0x9c: '\u0153', 0x9d: '\x9d', 0x9e: '\u017e', 0x9f: '\u0178',
};

function isInvalidCodepoint(cp: number): boolean {
  // Python html._invalid_codepoints: controls, non-characters; these are dropped.
  if ((cp >= 0x1 && cp <= 0x8) || (cp >= 0xe && cp <= 0x1f) || (cp >= 0x7f && cp <= 0x9f)) return true;
  if (cp >= 0xfdd0 && cp <= 0xfdef) return true;
  if (cp === 0xb) return true;
  return (cp & 0xfffe) === 0xfffe && cp <= 0x10ffff;
}

function replaceCharref(s: string): string {
  if (s[0] === '#') {
    const hex = s[1] === 'x' || s[1] === 'X';
    const digits = s.slice(hex ? 2 : 1).replace(/;$/, '');
    const num = parseInt(digits, hex ? 16 : 10);
    if (num in INVALID_CHARREFS) return INVALID_CHARREFS[num];
    if ((num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff) return '\ufffd';
    if (isInvalidCodepoint(num)) return '';
    return String.fromCodePoint(num);
  }
  const exact = NAMED.get(s);
  if (exact !== undefined) return exact;
  // HTML5: the longest known prefix that is valid without ';' wins ("&ampx" → "&x").
  for (let x = s.length - 1; x > 1; x--) {
    const prefix = NAMED.get(s.slice(0, x));
    if (prefix !== undefined) return prefix + s.slice(x);
  }
  return `&${s}`;
}

const CHARREF = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/g;

export function htmlUnescape(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(CHARREF, (_m, s: string) => replaceCharref(s));
}
