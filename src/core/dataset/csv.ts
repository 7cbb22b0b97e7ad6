// RFC 4180 CSV (and TSV) parsing: quoted fields with embedded separators, quotes ("")
// and line breaks; CRLF or LF; a leading UTF-8 BOM is ignored. Label tables are small
// (tens of thousands of rows), so a whole-string parser is enough.

export interface CsvTable {
  header: string[];
  /** data rows; each has header.length cells (short rows are padded with '') */
  rows: string[][];
  delimiter: ',' | '\t' | ';';
}

export class CsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvError';
  }
}

/** Picks the delimiter that occurs most in the first line outside quotes. */
export function sniffDelimiter(text: string): ',' | '\t' | ';' {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const counts = { ',': 0, '\t': 0, ';': 0 };
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch as keyof typeof counts]++;
  }
  if (counts['\t'] > counts[','] && counts['\t'] >= counts[';']) return '\t';
  if (counts[';'] > counts[',']) return ';';
  return ',';
}

export function parseCsvRecords(text: string, delimiter: string): string[][] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let fieldStarted = false;
  const endField = () => {
    record.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRecord = () => {
    endField();
    // A blank line is no record (common at the end of files).
    if (!(record.length === 1 && record[0] === '')) records.push(record);
    record = [];
  };
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
      i++;
    } else if (ch === delimiter) {
      endField();
      i++;
    } else if (ch === '\r' || ch === '\n') {
      endRecord();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      field += ch;
      fieldStarted = true;
      i++;
    }
  }
  if (quoted) throw new CsvError('unterminated quoted field at end of file');
  if (field !== '' || record.length > 0) endRecord();
  return records;
}

export function parseCsv(text: string, delimiter?: ',' | '\t' | ';'): CsvTable {
  const d = delimiter ?? sniffDelimiter(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const records = parseCsvRecords(text, d);
  if (records.length === 0) throw new CsvError('the table is empty (no header row)');
  const header = records[0].map((h) => h.trim());
  const rows = records.slice(1).map((r, k) => {
    if (r.length > header.length) {
      throw new CsvError(`row ${k + 2} has ${r.length} fields but the header has ${header.length}`);
    }
    return r.length < header.length ? [...r, ...Array<string>(header.length - r.length).fill('')] : r;
  });
  return { header, rows, delimiter: d };
}
