// The pad token comes from the tokenizer folder as transformers reads it, or is assumed from
// the text encoder's width; the pipeline feeds it and the conditioning follows diffusers'.
import { describe, expect, it } from 'vitest';
import { loadOnnxImg2ImgPipeline, type Img2ImgPipeline } from '../../../src/ml/diffusion';
import { assumedPadToken, EOS_TOKEN, padTokenFromConfigs } from '../../../src/ml/diffusion/tokenizer';
import { refF32, refI64AsNumbers, refShape, refU8, relErr } from './fixtures';
import { ort, tinySession } from './ort-node';
import { TINY_IMG2IMG_REF, readTinyPipelineText } from './tiny-reference';

const FORWARD_TOL = 1e-4;

describe('pad token from the tokenizer files', () => {
  it('special_tokens_map.json overrides tokenizer_config.json (SD-2.x ships both, and pads with "!")', () => {
    const pad = padTokenFromConfigs({ specialTokensMap: { pad_token: '!' }, tokenizerConfig: { pad_token: EOS_TOKEN } });
    expect(pad).toEqual({ token: '!', from: 'tokenizer/special_tokens_map.json', assumed: false });
  });

  it('reads AddedToken objects and tokenizer.json padding', () => {
    expect(padTokenFromConfigs({ tokenizerConfig: { pad_token: { __type: 'AddedToken', content: EOS_TOKEN, lstrip: false } } })?.token).toBe(EOS_TOKEN);
    expect(padTokenFromConfigs({ tokenizerJson: { padding: { pad_id: 0, pad_token: '!' } } })).toEqual({ token: '!', from: 'tokenizer/tokenizer.json (padding)', assumed: false });
    expect(padTokenFromConfigs({ tokenizerJson: { padding: null }, tokenizerConfig: { model_max_length: 77 } })).toBeUndefined();
  });

  it('without a config: "!" for a 1024-wide (OpenCLIP ViT-H, SD-2.x) text encoder, <|endoftext|> otherwise, and says it assumed', () => {
    expect(assumedPadToken(1024)).toMatchObject({ token: '!', assumed: true });
    expect(assumedPadToken(768)).toMatchObject({ token: EOS_TOKEN, assumed: true });
    expect(assumedPadToken(undefined).from).toMatch(/unknown width/);
  });
});

describe('pipeline conditioning with the folder\'s pad token (tiny pipeline, wasm)', () => {
  const prompt = TINY_IMG2IMG_REF.prompt as string;
  const withTokenizerFiles = (extra: Record<string, string | undefined>) => async (path: string) =>
    path in extra ? extra[path] : readTinyPipelineText(path);

  async function promptEmbeds(readText: (p: string) => Promise<string | undefined>): Promise<{ embeds: Float32Array; pipeline: Img2ImgPipeline }> {
    const pipeline = await loadOnnxImg2ImgPipeline({ ort, files: { readText }, createSession: tinySession });
    let embeds: Float32Array | undefined;
    try {
      await pipeline.run({
        image: { data: refU8('img2img/init_image_u8_hwc'), width: 64, height: 64, channels: 3 },
        prompt,
        strength: 0.1,
        numInferenceSteps: 10,
        guidanceScale: 1,
        seed: 1,
        onIntermediate: (name, data) => {
          if (name === 'prompt_embeds') embeds = data.slice();
        },
      });
    } finally {
      await pipeline.dispose();
    }
    return { embeds: embeds!, pipeline };
  }

  it('pads with "!" when special_tokens_map.json says so: the text encoder output equals the reference padded with 0', async () => {
    expect(refI64AsNumbers('text_encoder/case1/input_ids').slice(13)).toEqual(new Array(64).fill(0));
    const { embeds, pipeline } = await promptEmbeds(withTokenizerFiles({ 'tokenizer/special_tokens_map.json': JSON.stringify({ pad_token: '!' }) }));
    expect(pipeline.components.config.padTokenId).toBe(0);
    expect(pipeline.components.config.assumptions).toBeUndefined();
    expect(refShape('text_encoder/case1/last_hidden_state')).toEqual([1, 77, 32]);
    expect(relErr(embeds, refF32('text_encoder/case1/last_hidden_state'))).toBeLessThanOrEqual(FORWARD_TOL);
  });

  it('pads with <|endoftext|> from the fixture\'s tokenizer_config.json: equal to the SD reference, different from the "!" one', async () => {
    const { embeds, pipeline } = await promptEmbeds(readTinyPipelineText);
    expect(pipeline.components.config.padTokenId).toBe(49407);
    const sd = refF32('text_encoder/case0/last_hidden_state').subarray(0, 77 * 32);
    expect(relErr(embeds, sd)).toBeLessThanOrEqual(FORWARD_TOL);
    expect(relErr(embeds, refF32('text_encoder/case1/last_hidden_state'))).toBeGreaterThan(1e-3);
  });

  it('with no tokenizer config at all, pads as SD-1.x and says it assumed so', async () => {
    const { pipeline } = await promptEmbeds(withTokenizerFiles({ 'tokenizer/tokenizer_config.json': undefined }));
    expect(pipeline.components.config.padTokenId).toBe(49407);
    expect(pipeline.components.config.assumptions?.join(' ')).toMatch(/no tokenizer special-token config; the text encoder is 32 wide/);
  });

  it('refuses a pad token the vocabulary does not have', async () => {
    const readText = withTokenizerFiles({ 'tokenizer/special_tokens_map.json': JSON.stringify({ pad_token: '<pad>' }) });
    await expect(loadOnnxImg2ImgPipeline({ ort, files: { readText }, createSession: tinySession })).rejects.toThrow(
      /pad token "<pad>" \(tokenizer\/special_tokens_map\.json\) is not in the tokenizer's vocabulary/,
    );
  });
});
