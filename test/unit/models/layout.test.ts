import { describe, expect, it } from 'vitest';
import { checkDiffusersLayout, commonRoot, formatLayoutProblems, stripRoot } from '../../../src/core/models/layout';

const complete = [
  'model_index.json',
  'text_encoder/model.onnx',
  'unet/model.onnx',
  'vae_encoder/model.onnx',
  'vae_decoder/model.onnx',
  'tokenizer/vocab.json',
  'tokenizer/merges.txt',
  'scheduler/scheduler_config.json',
];
const without = (p: string) => complete.filter((x) => x !== p);
const messages = (paths: string[]) => checkDiffusersLayout(paths).problems.map((p) => p.message);

describe('diffusers ONNX layout check', () => {
  it('accepts a complete pipeline and reports its tokenizer form', () => {
    const r = checkDiffusersLayout(complete);
    expect(r).toMatchObject({ ok: true, problems: [], tokenizer: 'vocab+merges' });
  });

  it('accepts tokenizer.json instead of vocab + merges', () => {
    const paths = [...without('tokenizer/vocab.json').filter((p) => p !== 'tokenizer/merges.txt'), 'tokenizer/tokenizer.json'];
    expect(checkDiffusersLayout(paths)).toMatchObject({ ok: true, tokenizer: 'tokenizer.json' });
  });

  it('finds external weight data next to model.onnx', () => {
    const r = checkDiffusersLayout([...complete, 'unet/weights.pb', 'text_encoder/model.onnx_data', 'vae_decoder/custom.onnx_data']);
    expect(r.ok).toBe(true);
    expect(r.externalData).toEqual({ unet: ['unet/weights.pb'], text_encoder: ['text_encoder/model.onnx_data'], vae_decoder: ['vae_decoder/custom.onnx_data'] });
  });

  it('refuses an SDXL export (second text encoder) and an SD3/Flux one (transformer, no UNet), saying what runs', () => {
    const sdxl = checkDiffusersLayout([...complete, 'text_encoder_2/model.onnx', 'tokenizer_2/vocab.json']);
    expect(sdxl.ok).toBe(false);
    expect(sdxl.problems.map((p) => p.message)).toEqual([
      '"text_encoder_2/" belongs to an SDXL or SD3/Flux pipeline (a second text encoder, or a transformer instead of a UNet): this app runs SD-1.x/2.x-family pipelines, with one CLIP text encoder and a UNet.',
    ]);
    const sd3 = messages([...without('unet/model.onnx'), 'transformer/model.onnx', 'text_encoder_2/model.onnx', 'text_encoder_3/model.onnx']);
    expect(sd3).toContain('"text_encoder_2/", "text_encoder_3/", "transformer/" belong to an SDXL or SD3/Flux pipeline (a second text encoder, or a transformer instead of a UNet): this app runs SD-1.x/2.x-family pipelines, with one CLIP text encoder and a UNet.');
    expect(sd3.join(' ')).toContain('unet/model.onnx is missing');
  });

  it('says when unet.onnx sits where unet/model.onnx should be', () => {
    expect(messages([...without('unet/model.onnx'), 'unet.onnx'])).toEqual(['unet/model.onnx is missing (the unet ONNX graph) but "unet.onnx" is present: move or rename it to "unet/model.onnx".']);
  });

  it('says when the graph inside the folder has another name', () => {
    expect(messages([...without('vae_decoder/model.onnx'), 'vae_decoder/vae_decoder.onnx'])[0]).toContain('"vae_decoder/vae_decoder.onnx" is present: move or rename it to "vae_decoder/model.onnx"');
  });

  it('recognises a PyTorch diffusers folder and says to export it', () => {
    const paths = ['model_index.json', 'unet/diffusion_pytorch_model.safetensors', 'vae/diffusion_pytorch_model.safetensors', 'text_encoder/model.safetensors', 'tokenizer/vocab.json', 'tokenizer/merges.txt', 'scheduler/scheduler_config.json'];
    const m = messages(paths);
    expect(m).toContain('unet/model.onnx is missing (the unet ONNX graph); "unet/" holds PyTorch weights, not ONNX — export the pipeline to ONNX first (e.g. optimum-cli export onnx).');
    expect(m.some((x) => x.includes('single "vae/" folder is the PyTorch layout'))).toBe(true);
  });

  it('names the missing half of the BPE tokenizer, and files at the wrong level', () => {
    expect(messages(without('tokenizer/merges.txt'))).toEqual([
      'tokenizer/merges.txt is missing: the CLIP BPE tokenizer needs tokenizer/merges.txt next to tokenizer/vocab.json (or a single tokenizer/tokenizer.json).',
    ]);
    const top = [...without('tokenizer/vocab.json').filter((p) => p !== 'tokenizer/merges.txt'), 'vocab.json', 'merges.txt'];
    expect(messages(top)[0]).toContain('"vocab.json", "merges.txt" are at the top level: move them into tokenizer/.');
  });

  it('suggests renaming scheduler/config.json', () => {
    expect(messages([...without('scheduler/scheduler_config.json'), 'scheduler/config.json'])).toEqual([
      'scheduler/scheduler_config.json is missing (the noise schedule) but "scheduler/config.json" is present: rename it to "scheduler/scheduler_config.json".',
    ]);
  });

  it('lists every problem of an empty folder', () => {
    const r = checkDiffusersLayout([]);
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => p.path)).toEqual(['model_index.json', 'text_encoder/model.onnx', 'unet/model.onnx', 'vae_encoder/model.onnx', 'vae_decoder/model.onnx', 'tokenizer/vocab.json', 'scheduler/scheduler_config.json']);
    expect(formatLayoutProblems(r)).toMatch(/^Not a diffusers ONNX pipeline folder: model_index.json is missing/);
  });
});

describe('picked-folder roots', () => {
  it('strips the folder a picker or zip puts around everything', () => {
    expect(stripRoot(complete.map((p) => `sd15/${p}`)).paths).toEqual(complete);
    expect(commonRoot(complete.map((p) => `a/b/${p}`))).toBe('a/b/');
  });

  it('leaves a layout alone when model_index.json is already on top', () => {
    expect(commonRoot(complete)).toBe('');
  });

  it('strips a single folder even when the layout inside is wrong', () => {
    expect(stripRoot(['x/unet.onnx', 'x/model_index.json']).paths).toEqual(['unet.onnx', 'model_index.json']);
  });
});
