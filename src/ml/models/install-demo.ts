// Installs the built-in demo diffusion pipeline (ml/diffusion/demo-model): generated here,
// then stored through the local-import path like any user folder, so it is hashed,
// layout-checked and read back from OPFS exactly as a downloaded pipeline is.
import { buildDemoPipeline, DEMO_PIPELINE_NAME } from '../diffusion/demo-model';
import { importLocalModel, type ImportResult } from './import-local';
import type { TaskContext } from './context';
import { DEMO_MODEL_ID } from '../../core/models/builtin';

export { DEMO_MODEL_ID };

export async function installDemoPipeline(ctx: TaskContext): Promise<ImportResult> {
  ctx.progress('building', 0, 1, 'measuring the demo phantoms and writing the ONNX graphs');
  const { files } = buildDemoPipeline();
  ctx.throwIfCancelled();
  const inputs = Object.entries(files).map(([path, bytes]) => ({ path, file: new File([bytes as BlobPart], path.split('/').pop()!) }));
  return importLocalModel({ id: DEMO_MODEL_ID, name: DEMO_PIPELINE_NAME, files: inputs }, ctx);
}
