import { describe, expect, it } from 'vitest';
import { parseCsv, CsvError } from '../../../src/core/dataset/csv';
import { labelFromPath, fileStem, kermanyPatientKey } from '../../../src/core/dataset/folder-labels';
import { toFinding, normaliseLabels } from '../../../src/core/dataset/findings';
import { parseLabelTable, officialSplitFromTableName, LabelTableError } from '../../../src/core/dataset/label-table';
import { joinLabelTable } from '../../../src/core/dataset/label-join';
import { mergeReaderRows, LABEL_MERGE_POLICY_TEXT } from '../../../src/core/dataset/reader-merge';

const hex = (n: number) => n.toString(16).padStart(64, '0');

describe('folder labels', () => {
  it('reads <split>/<CLASS>/file and <CLASS>/file case-insensitively', () => {
    expect(labelFromPath('train/NORMAL/IM-0115-0001.jpeg')).toEqual({ labels: ['normal'], subLabels: [], officialSplit: 'train', patientKey: 'im-0115' });
    expect(labelFromPath('chest_xray/test/PNEUMONIA/person1_virus_6.jpeg')).toMatchObject({ labels: ['pneumonia'], subLabels: ['viral'], officialSplit: 'test', patientKey: 'person1' });
    expect(labelFromPath('Pneumonia\\person22_bacteria_77.jpeg')).toMatchObject({ labels: ['pneumonia'], subLabels: ['bacterial'], patientKey: 'person22' });
    expect(labelFromPath('val/normal/x.png').officialSplit).toBe('val');
    expect(labelFromPath('misc/x.png').labels).toEqual([]);
    expect(labelFromPath('NORMAL/sub/x.png').labels).toEqual(['normal']);
  });
  it('keeps the two Kermany numbering schemes apart', () => {
    expect(kermanyPatientKey('NORMAL2-IM-1427-0001.jpeg')).toBe('normal2-im-1427');
    expect(kermanyPatientKey('IM-1427-0001.jpeg')).toBe('im-1427');
    expect(kermanyPatientKey('019.jpeg')).toBeNull();
  });
  it('maps finding names, including VinDr typos', () => {
    expect(toFinding('Brocho-pneumonia')).toBe('bronchopneumonia');
    expect(toFinding('No finding')).toBe('normal');
    expect(toFinding('Diagphramatic hernia')).toBe('diaphragmatic-hernia');
    expect(toFinding('Some New Thing')).toBe('some-new-thing');
    expect(normaliseLabels(['pneumonia', 'normal', 'pneumonia'])).toEqual(['pneumonia']);
    expect(fileStem('a/b/1.2.3.dcm')).toBe('1.2.3');
  });
});

describe('CSV', () => {
  it('handles RFC 4180 quoting, BOM, CRLF, embedded newlines and TSV', () => {
    const t = parseCsv('\uFEFFfile,label\r\n"a,b.png","pneu""monia"\r\n"multi\r\nline.png",normal\r\n\r\n');
    expect(t.header).toEqual(['file', 'label']);
    expect(t.rows).toEqual([
      ['a,b.png', 'pneu"monia'],
      ['multi\r\nline.png', 'normal'],
    ]);
    const tsv = parseCsv('image_id\tPneumonia\nx\t1\n');
    expect(tsv.delimiter).toBe('\t');
    expect(tsv.rows).toEqual([['x', '1']]);
  });
  it('reports malformed tables', () => {
    expect(() => parseCsv('a,b\n"open,1\n')).toThrow(CsvError);
    expect(() => parseCsv('a,b\n1,2,3\n')).toThrow(/row 2 has 3 fields/);
    expect(() => parseCsv('')).toThrow(/empty/);
  });
});

// A VinDr-PCXR-like training table: two radiologists for img1, one for the others.
const VINDR = [
  'image_id,rad_ID,No finding,Bronchitis,Brocho-pneumonia,Pneumonia,Other disease,Mystery column,comment',
  'img1,R1,0,0,1,0,0,0,ok',
  'img1,R2,1,0,0,0,0,0,"disagrees, says normal"',
  'img1,R3,0,0,1,0,0,0,',
  'img2,R1,1,0,0,0,0,0,',
  'img3,R2,0,0,0,1,0,1,',
  'img4,R1,0,0,0,0,0,0,empty row',
  'ghost,R1,1,0,0,0,0,0,not imported',
].join('\r\n');

describe('VinDr-style label table', () => {
  const table = parseLabelTable(VINDR);
  const images = ['img1', 'img2', 'img3', 'img4', 'img5'].map((s, i) => ({ id: hex(i + 1), sourcePath: `dicom/${s}.dicom` }));

  it('finds key, reader and finding columns and lists unknown ones', () => {
    expect(table.keyColumn).toBe('image_id');
    expect(table.readerColumn).toBe('rad_ID');
    expect(table.shape).toBe('wide');
    expect(table.findingColumns.map((c) => c.finding)).toEqual(['normal', 'bronchitis', 'bronchopneumonia', 'pneumonia', 'other-disease', 'mystery-column']);
    expect(table.unknownColumns).toEqual([
      { column: 'Mystery column', treatedAs: 'mystery-column' },
      { column: 'comment', treatedAs: null },
    ]);
  });

  it('merges readers by policy: any-positive, majority, unanimous', () => {
    const rows = table.rows.filter((r) => r.key === 'img1');
    expect(mergeReaderRows(rows, 'any-positive')).toMatchObject({ labels: ['bronchopneumonia'], readers: 3, contradictory: true });
    expect(mergeReaderRows(rows, 'majority').labels).toEqual(['bronchopneumonia']);
    expect(mergeReaderRows(rows, 'unanimous').labels).toEqual([]);
    expect(mergeReaderRows(rows.slice(0, 2), 'majority').labels).toEqual([]); // 1 of 2 is no majority
    for (const text of Object.values(LABEL_MERGE_POLICY_TEXT)) expect(text.length).toBeGreaterThan(20);
  });

  it('joins on the file stem and reports missing, unlabelled, conflicts and empty rows', () => {
    const { labels, report } = joinLabelTable(table, images, 'majority', officialSplitFromTableName('image_labels_train.csv'));
    expect(labels.get(hex(1))).toEqual({ labels: ['bronchopneumonia'], key: 'img1', officialSplit: 'train' });
    expect(labels.get(hex(2))?.labels).toEqual(['normal']);
    expect(labels.get(hex(3))?.labels).toEqual(['mystery-column', 'pneumonia']);
    expect(labels.get(hex(4))?.labels).toEqual([]);
    expect(report.missingFiles).toEqual(['ghost']);
    expect(report.imagesWithoutRow).toEqual(['dicom/img5.dicom']);
    expect(report.rowsWithoutFinding).toEqual([{ line: 7, key: 'img4' }]);
    expect(report.unresolved).toEqual(['img4']);
    expect(report.conflicts).toHaveLength(1);
    expect(report.conflicts[0].key).toBe('img1');
    expect(report.conflicts[0].votes).toEqual([
      { finding: 'bronchopneumonia', positive: 2, readers: 3 },
      { finding: 'normal', positive: 1, readers: 3 },
    ]);
    expect(officialSplitFromTableName('image_labels_test.csv')).toBe('test');
  });

  it('joins a long table on file name or image id', () => {
    const long = parseLabelTable(`filename,label\nimg2.dicom,Pneumonia|Bronchitis\n${hex(1)},NORMAL\n`);
    expect(long.shape).toBe('long');
    const { labels, report } = joinLabelTable(long, images, 'any-positive');
    expect(labels.get(hex(2))?.labels).toEqual(['bronchitis', 'pneumonia']);
    expect(labels.get(hex(1))?.labels).toEqual(['normal']);
    expect(report.missingFiles).toEqual([]);
  });

  it('rejects tables without key or labels', () => {
    expect(() => parseLabelTable('foo,bar\n1,2\n')).toThrow(LabelTableError);
    expect(() => parseLabelTable('image_id,comment\nx,hello\n')).toThrow(/no label column/);
  });
});
