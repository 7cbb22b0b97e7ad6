// CLIP's text cleaning (openai/CLIP simple_tokenizer.py): basic_clean + whitespace_clean,
// then lower-case. Python's `\s` and str.strip() use str.isspace(), which differs from
// JavaScript's `\s` (no U+FEFF, but U+001C..U+001F and U+0085), so the class is explicit.
import { fixText } from './ftfy-subset';
import { htmlUnescape } from './html-unescape';

const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_SPACE_RUN = new RegExp(`[${PY_SPACE}]+`, 'g');
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

export function pyStrip(text: string): string {
  return text.replace(PY_STRIP, '');
}

export function cleanClipText(text: string): string {
  const basic = pyStrip(htmlUnescape(htmlUnescape(fixText(text))));
  return pyStrip(basic.replace(PY_SPACE_RUN, ' ')).toLowerCase();
}
