import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkDiffusersLayout } from '../../../src/core/models/layout';
import { CatalogError, connectSources, describeVerification, entrySize, parseCatalog, parseModelEntry, type ModelEntry } from '../../../src/core/models/catalog';
import { verifyFile, ModelVerificationError } from '../../../src/core/models/verify';
import { contentSecurityPolicy } from '../../../vite.config';

const catalogJson = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../../models/catalog.json'), 'utf8'));

const entry = (over: Partial<ModelEntry> = {}): ModelEntry => ({
  id: 'tiny',
  kind: 'classifier-weights',
  name: 'Tiny',
  variant: 'fp32',
  requiresShaderF16: false,
  licence: 'MIT',
  homepage: 'https://example.org/',
  source: 'test',
  notes: '',
  files: [{ path: 'w.bin', url: 'https://example.org/w.bin', bytes: 4 }],
  ...over,
});

describe('the shipped catalog', () => {
  const catalog = parseCatalog(catalogJson);

  it('is valid and holds the entries the study needs', () => {
    const ids = catalog.models.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['sd15-onnx-fp32', 'sd-turbo-onnx-fp16', 'lcm-dreamshaper-v7-onnx-fp32', 'taesd-onnx', 'keras-inception-v3-notop', 'timm-inception-v3-tv-in1k']));
  });

  it('pins the Keras InceptionV3 notop file to its published size and MD5', () => {
    const keras = catalog.models.find((m) => m.id === 'keras-inception-v3-notop')!;
    expect(keras.files).toEqual([
      expect.objectContaining({
        url: 'https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5',
        bytes: 87_910_968,
        md5: 'bcbd6486424b2319ff4ef7d526e38f63',
      }),
    ]);
  });

  it('lays out every diffusion pipeline as diffusers ONNX', () => {
    for (const m of catalog.models.filter((x) => x.kind === 'diffusion-pipeline')) {
      expect(checkDiffusersLayout(m.files.map((f) => f.path)).problems, m.id).toEqual([]);
    }
  });

  it('marks fp16 entries as needing shader-f16', () => {
    for (const m of catalog.models) if (m.variant === 'fp16') expect(m.requiresShaderF16, m.id).toBe(true);
  });

  it('tells the user when integrity rests on size alone', () => {
    const sd15 = catalog.models.find((m) => m.id === 'sd15-onnx-fp32')!;
    expect(describeVerification(sd15)).toMatchObject({ pinned: false });
    expect(describeVerification(sd15).text).toContain('hash not pinned: verified against the size only, SHA-256 recorded on first download');
    expect(describeVerification(catalog.models.find((m) => m.id === 'taesd-onnx')!).pinned).toBe(true);
    const lcm = catalog.models.find((m) => m.id === 'lcm-dreamshaper-v7-onnx-fp32')!;
    expect(describeVerification(lcm).text).toContain('(1 of 15 files have a pinned hash)');
  });

  it('builds the CSP connect-src from exactly the catalog hosts and their CDNs', () => {
    const sources = connectSources(catalog);
    expect(sources).toContain('https://huggingface.co');
    expect(sources).toContain('https://storage.googleapis.com');
    expect(sources).toContain('https://cas-bridge.xethub.hf.co');
    expect(sources.every((s) => s.startsWith('https://'))).toBe(true);
    const connect = contentSecurityPolicy.split('; ').find((d) => d.startsWith('connect-src'))!;
    expect(connect.split(' ').slice(1)).toEqual(["'self'", 'blob:', 'data:', ...sources]);
  });
});

describe('catalog validation', () => {
  const base = { version: 1, hosts: [{ host: 'example.org', redirects: [], why: 'test' }], models: [entry()] };

  it('accepts a minimal catalog', () => {
    expect(parseCatalog(base).models[0].id).toBe('tiny');
  });

  it.each([
    ['a file on a host the CSP would not allow', { ...base, models: [entry({ files: [{ path: 'w.bin', url: 'https://evil.example/w.bin', bytes: 1 }] })] }, 'host evil.example is not listed'],
    ['plain http', { ...base, models: [entry({ files: [{ path: 'w.bin', url: 'http://example.org/w.bin', bytes: 1 }] })] }, 'https://'],
    ['a path escaping the model folder', { ...base, models: [entry({ files: [{ path: '../x.bin', url: 'https://example.org/x', bytes: 1 }] })] }, 'relative path'],
    ['an uppercase sha256', { ...base, models: [entry({ files: [{ path: 'w.bin', url: 'https://example.org/w', sha256: 'A'.repeat(64) }] })] }, 'sha256 must be 64 lowercase hex'],
    ['duplicate ids', { ...base, models: [entry(), entry()] }, 'duplicate model id "tiny"'],
    ['duplicate paths', { ...base, models: [entry({ files: [{ path: 'a', url: 'https://example.org/a' }, { path: 'a', url: 'https://example.org/b' }] })] }, 'duplicate file path "a"'],
    ['fp16 without shader-f16', { ...base, models: [entry({ variant: 'fp16' })] }, 'needs shader-f16'],
    ['an unknown kind', { ...base, models: [{ ...entry(), kind: 'lora' }] }, 'models.0.kind'],
    ['an unstated variant', { ...base, models: [entry({ variant: 'unknown' })] }, 'must state their variant'],
  ])('rejects %s with a message saying where', (_what, json, message) => {
    expect(() => parseCatalog(json)).toThrow(CatalogError);
    expect(() => parseCatalog(json)).toThrow(message);
  });

  it('accepts same-origin paths (tests, self-hosted mirrors) without a host entry', () => {
    expect(parseModelEntry(entry({ files: [{ path: 'w.bin', url: '/__shared__/w.bin', bytes: 1 }] })).files[0].url).toBe('/__shared__/w.bin');
    expect(() => parseModelEntry(entry({ files: [{ path: 'w.bin', url: '//evil.example/w.bin', bytes: 1 }] }))).toThrow('same-origin path');
  });

  it('sums sizes and says when they are approximate', () => {
    expect(entrySize(entry())).toEqual({ bytes: 4, exact: true, unknownFiles: 0 });
    expect(entrySize(entry({ files: [{ path: 'a', url: 'https://example.org/a', approxBytes: 10 }, { path: 'b', url: 'https://example.org/b' }] }))).toEqual({ bytes: 10, exact: false, unknownFiles: 1 });
  });
});

describe('file verification', () => {
  const spec = { path: 'unet/model.onnx', url: 'https://example.org/u', bytes: 10, sha256: 'a'.repeat(64) };

  it('passes a matching file', () => {
    expect(() => verifyFile('m', spec, { bytes: 10, sha256: 'a'.repeat(64) })).not.toThrow();
  });

  it('names the file and gives expected vs actual size for a truncated file', () => {
    const err = (() => {
      try {
        verifyFile('m', spec, { bytes: 7, sha256: 'b'.repeat(64) });
      } catch (e) {
        return e as ModelVerificationError;
      }
    })()!;
    expect(err).toBeInstanceOf(ModelVerificationError);
    expect(err.message).toContain('unet/model.onnx is truncated');
    expect(err.message).toContain('expected 10 bytes');
    expect(err.message).toContain('got 7 bytes');
  });

  it('gives both hashes on a SHA-256 mismatch', () => {
    expect(() => verifyFile('m', spec, { bytes: 10, sha256: 'b'.repeat(64) })).toThrow(`SHA-256 expected ${'a'.repeat(64)}, got ${'b'.repeat(64)}`);
  });

  it('checks MD5 where only MD5 is published', () => {
    const md5Spec = { path: 'w.h5', url: 'https://example.org/w', bytes: 3, md5: 'c'.repeat(32) };
    expect(() => verifyFile('m', md5Spec, { bytes: 3, sha256: 'x', md5: 'd'.repeat(32) })).toThrow(`MD5 expected ${'c'.repeat(32)}, got ${'d'.repeat(32)}`);
  });
});
