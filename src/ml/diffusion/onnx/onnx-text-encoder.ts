// CLIP text encoder from an ONNX export (optimum / diffusers layout): input_ids int32 or
// int64 [batch, 77], optional attention_mask; output last_hidden_state.
import type { TextEncoderModel } from '../components';
import type { FloatTensor } from '../tensor';
import type { OrtRuntime, OrtSession, OrtTensor } from './ort-types';
import { SessionIo, type InputSpec } from './session-io';

export class OnnxTextEncoder implements TextEncoderModel {
  private readonly io: SessionIo;
  private readonly ids: InputSpec;
  private readonly mask: InputSpec | undefined;
  /** Hidden width of last_hidden_state when the export declares it (768 SD-1.x, 1024 SD-2.x). */
  readonly width: number | undefined;

  constructor(ort: OrtRuntime, session: OrtSession) {
    this.io = new SessionIo(ort, session, 'text encoder');
    this.width = declaredWidth(session);
    this.ids = this.io.requireInput(['input_ids'], 'int');
    this.mask = this.io.inputs.get('attention_mask');
    this.io.rejectUnknownInputs(['input_ids', 'attention_mask']);
  }

  async encode(inputIds: Int32Array, batch: number): Promise<FloatTensor> {
    const dims = [batch, inputIds.length / batch];
    this.io.checkDims(this.ids, dims);
    const feeds: Record<string, OrtTensor> = { [this.ids.name]: this.io.tensor(this.ids, inputIds, dims) };
    // SD-1.x does not mask padding (use_attention_mask is false), i.e. an all-ones mask.
    if (this.mask) feeds[this.mask.name] = this.io.tensor(this.mask, new Int32Array(inputIds.length).fill(1), dims);
    const out = await this.io.run(feeds);
    return this.io.outputOf(out, ['last_hidden_state']);
  }

  dispose(): Promise<void> {
    return this.io.dispose();
  }
}

function declaredWidth(session: OrtSession): number | undefined {
  const outputs = (session as Partial<Pick<OrtSession, 'outputMetadata'>>).outputMetadata ?? [];
  const hidden = outputs.find((o) => o.name === 'last_hidden_state') ?? outputs[0];
  const last = hidden?.isTensor ? hidden.shape[hidden.shape.length - 1] : undefined;
  return typeof last === 'number' && last > 0 ? last : undefined;
}
