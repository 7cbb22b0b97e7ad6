// safetensors parsing and the torchvision importer's error reporting: every corrupt-file case
// must fail with a message that names the problem (and the tensor, where there is one).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildInceptionV3 } from '../../../src/ml/classifier/inception-v3';
import { loadTorchvisionSafetensors } from '../../../src/ml/classifier/weights/torchvision';
import { float16ToFloat32, parseSafetensors, readFloat32, SafetensorsError } from '../../../src/ml/formats/safetensors';
import { inceptionFixtureDir } from './helpers';

/** Minimal writer: header JSON padded with spaces to a multiple of 8, then the data. */
function writeSafetensors(header: Record<string, unknown>, data: Uint8Array): Uint8Array {
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8) json += ' ';
  const out = new Uint8Array(8 + json.length + data.byteLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(new TextEncoder().encode(json), 8);
  out.set(data, 8 + json.length);
  return out;
}

/** Splits a file into its header object and data section, to derive corrupted variants. */
function splitFile(bytes: Uint8Array): { header: Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>; data: Uint8Array } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))), data: bytes.subarray(8 + n) };
}

const fixture = () => new Uint8Array(readFileSync(join(inceptionFixtureDir, 'model.safetensors')));

describe('safetensors reader', () => {
  test('F32, F16 and BF16 tensors decode exactly, at unaligned offsets too', () => {
    const f32 = new Float32Array([1.5, -2.25, 3e-8]);
    const f16 = new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x8000, 0x3555]);
    const bf16 = new Uint16Array([0x3f80, 0xc040, 0x0000]);
    const data = new Uint8Array(1 + 12 + 14 + 6);
    data.set(new Uint8Array(f32.buffer), 1);
    data.set(new Uint8Array(f16.buffer), 13);
    data.set(new Uint8Array(bf16.buffer), 27);
    const file = parseSafetensors(
      writeSafetensors(
        {
          __metadata__: { format: 'pt' },
          pad: { dtype: 'U8', shape: [1], data_offsets: [0, 1] },
          a: { dtype: 'F32', shape: [3], data_offsets: [1, 13] },
          h: { dtype: 'F16', shape: [7], data_offsets: [13, 27] },
          b: { dtype: 'BF16', shape: [3], data_offsets: [27, 33] },
        },
        data,
      ),
    );
    expect(file.metadata.format).toBe('pt');
    expect([...readFloat32(file, 'a')]).toEqual([...f32]);
    expect([...readFloat32(file, 'h')]).toEqual([1, -2, 65504, 2 ** -24, Infinity, -0, 0.333251953125]);
    expect([...readFloat32(file, 'b')]).toEqual([1, -3, 0]);
    expect(() => readFloat32(file, 'pad')).toThrow(/dtype U8/);
    expect(() => readFloat32(file, 'nope')).toThrow(/missing tensor "nope"/);
    expect(Number.isNaN(float16ToFloat32(new Uint16Array([0x7e00]))[0])).toBe(true);
  });

  test('the fixture parses: 472 F16 tensors', () => {
    const file = parseSafetensors(fixture(), 'model.safetensors');
    expect(file.tensors.size).toBe(472);
    expect(file.tensors.get('Conv2d_1a_3x3.conv.weight')).toMatchObject({ dtype: 'F16', shape: [32, 3, 3, 3] });
  });

  test('truncated file: names the first tensor that does not fit and the sizes', () => {
    const bytes = fixture();
    const cut = bytes.subarray(0, bytes.byteLength - 1000);
    expect(() => parseSafetensors(cut, 'model.safetensors')).toThrow(SafetensorsError);
    expect(() => parseSafetensors(cut, 'model.safetensors')).toThrow(
      /model\.safetensors: truncated or offsets out of range: tensor "[\w.]+" ends at data byte \d+ but the file has only \d+ data bytes \(file size 43694956, expected at least 43695956\)/,
    );
    expect(() => parseSafetensors(bytes.subarray(0, 100))).toThrow(/truncated: header needs \d+ bytes but only 92 follow/);
    expect(() => parseSafetensors(bytes.subarray(0, 5))).toThrow(/truncated: 5 bytes/);
  });

  test('bad headers are rejected with the reason', () => {
    const garbage = new Uint8Array(64);
    new DataView(garbage.buffer).setBigUint64(0, 16n, true);
    garbage.set(new TextEncoder().encode('{"a": [1, 2,,]}'), 8);
    expect(() => parseSafetensors(garbage)).toThrow(/bad header: not valid UTF-8 JSON/);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    expect(() => parseSafetensors(huge)).toThrow(/implausible/);
    const data = new Uint8Array(16);
    expect(() => parseSafetensors(writeSafetensors({ x: { dtype: 'F8', shape: [2], data_offsets: [0, 2] } }, data))).toThrow(/"x" has unsupported dtype "F8"/);
    expect(() => parseSafetensors(writeSafetensors({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, data))).toThrow(
      /"x" F32\[3\] needs 12 bytes but data_offsets span 8/,
    );
    expect(() => parseSafetensors(writeSafetensors({ x: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, data))).toThrow(/invalid shape/);
    expect(() =>
      parseSafetensors(writeSafetensors({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, y: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, data)),
    ).toThrow(/"x" and "y" overlap/);
    expect(() => parseSafetensors(writeSafetensors({ x: { dtype: 'F32', shape: [8], data_offsets: [0, 32] } }, data))).toThrow(/"x" ends at data byte 32/);
  });
});

describe('torchvision importer errors', () => {
  const net = buildInceptionV3({ variant: 'torchvision', inputSize: 75, head: { units: 2, activation: 'linear', dropoutRate: 0.5 } });

  test('a missing tensor is named', () => {
    const { header, data } = splitFile(fixture());
    delete header['Mixed_5b.branch_pool.bn.running_var'];
    delete header['fc.bias'];
    const bytes = writeSafetensors(header, data);
    expect(() => loadTorchvisionSafetensors(net, bytes, { source: 'timm.safetensors', head: 'require' })).toThrow(
      /^timm\.safetensors: missing 2 tensor\(s\): Mixed_5b\.branch_pool\.bn\.running_var, fc\.bias$/,
    );
    // With the head ignored only the backbone tensor is required.
    expect(() => loadTorchvisionSafetensors(net, bytes, { source: 'timm.safetensors' })).toThrow(/missing 1 tensor\(s\): Mixed_5b\.branch_pool\.bn\.running_var$/);
  });

  test('a wrong shape is named with both shapes', () => {
    const { header, data } = splitFile(fixture());
    header['Conv2d_1a_3x3.conv.weight'].shape = [3, 32, 3, 3]; // same byte count, wrong layout
    header['fc.weight'].shape = [4, 1024];
    const bytes = writeSafetensors(header, data);
    expect(() => loadTorchvisionSafetensors(net, bytes, { source: 'tv.safetensors', head: 'require' })).toThrow(
      /tv\.safetensors: wrong shape: Conv2d_1a_3x3\.conv\.weight \(→ conv2d_1\/kernel\) has shape \[3,3,32,3\], expected \[3,3,3,32\], fc\.weight \(→ predictions\/kernel\) has shape \[1024,4\], expected \[2048,2\]/,
    );
  });

  test('a head of another size is skipped with a note when the policy allows it', () => {
    const other = buildInceptionV3({ variant: 'torchvision', inputSize: 75, head: { units: 1, activation: 'sigmoid', dropoutRate: 0.5 } });
    const report = loadTorchvisionSafetensors(other, fixture(), { head: 'ifCompatible' });
    expect(report.headLoaded).toBe(false);
    expect(report.headNote).toMatch(/fc\.weight.*\[2048,2\] vs \[2048,1\]/);
    expect(report.unusedInFile.sort()).toEqual(['fc.bias', 'fc.weight']);
    const ignored = loadTorchvisionSafetensors(other, fixture());
    expect(ignored.unusedInFile.sort()).toEqual(['fc.bias', 'fc.weight']);
  });
});
