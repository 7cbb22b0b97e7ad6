// Checks a set of relative paths against the diffusers ONNX pipeline layout (the layout
// optimum / diffusers' ONNX export writes), and says how to fix what is wrong: users
// assembling a folder by hand often get one level or one name off.

export const ONNX_COMPONENTS = ['text_encoder', 'unet', 'vae_encoder', 'vae_decoder'] as const;
export type OnnxComponent = (typeof ONNX_COMPONENTS)[number];

/** File names ONNX exporters use for external weight data next to model.onnx. */
const EXTERNAL_DATA_NAMES = ['model.onnx_data', 'model.onnx.data', 'weights.pb'];

export interface LayoutProblem {
  /** the path that should exist */
  path: string;
  message: string;
}

export interface LayoutReport {
  ok: boolean;
  problems: LayoutProblem[];
  /** per component, the external-data files found next to its model.onnx */
  externalData: Partial<Record<OnnxComponent, string[]>>;
  tokenizer: 'tokenizer.json' | 'vocab+merges' | null;
}

const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const dir = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');

/**
 * If every path sits under one folder (what a folder picker or a zip of a folder gives),
 * returns that prefix ("my-model/") so it can be stripped; '' otherwise. A folder is only
 * stripped when model_index.json is not already at the top.
 */
export function commonRoot(paths: string[]): string {
  if (paths.length === 0 || paths.includes('model_index.json')) return '';
  const withIndex = paths.filter((p) => base(p) === 'model_index.json').sort((a, b) => a.length - b.length)[0];
  if (withIndex) {
    const prefix = withIndex.slice(0, -'model_index.json'.length);
    if (paths.every((p) => p.startsWith(prefix))) return prefix;
  }
  const first = paths[0].split('/')[0];
  if (paths.every((p) => p.startsWith(first + '/'))) return first + '/';
  return '';
}

export function stripRoot(paths: string[]): { root: string; paths: string[] } {
  const root = commonRoot(paths);
  return { root, paths: paths.map((p) => p.slice(root.length)) };
}

function describeAlternatives(expected: string, present: Set<string>): string {
  const [component] = expected.split('/');
  const candidates: string[] = [];
  for (const p of present) {
    const b = base(p);
    const d = dir(p);
    if (p === `${component}.onnx` || p === `${component}/${component}.onnx`) candidates.push(p);
    else if (d === component && b.endsWith('.onnx') && b !== 'model.onnx') candidates.push(p);
    else if (d === '' && b.endsWith('.onnx') && b.replace(/[-_.]/g, '').toLowerCase().includes(component.replace(/_/g, ''))) candidates.push(p);
    else if (b === 'model.onnx' && d !== component && d.replace(/[-_]/g, '').toLowerCase() === component.replace(/_/g, '')) candidates.push(p);
  }
  if (candidates.length > 0) {
    return ` but ${candidates.map((c) => `"${c}"`).join(', ')} ${candidates.length > 1 ? 'are' : 'is'} present: move or rename it to "${expected}"`;
  }
  if ([...present].some((p) => p.startsWith(component + '/') && /\.(safetensors|bin|ckpt|pt)$/.test(p))) {
    return `; "${component}/" holds PyTorch weights, not ONNX — export the pipeline to ONNX first (e.g. optimum-cli export onnx)`;
  }
  if (component === 'vae_encoder' || component === 'vae_decoder') {
    if ([...present].some((p) => p.startsWith('vae/'))) return '; a single "vae/" folder is the PyTorch layout — the ONNX layout splits it into vae_encoder/ and vae_decoder/';
  }
  return '';
}

export function checkDiffusersLayout(relativePaths: string[]): LayoutReport {
  const present = new Set(relativePaths);
  const problems: LayoutProblem[] = [];
  const externalData: LayoutReport['externalData'] = {};

  const need = (path: string, what: string) => {
    if (present.has(path)) return true;
    problems.push({ path, message: `${path} is missing (${what})${describeAlternatives(path, present)}.` });
    return false;
  };

  need('model_index.json', 'the pipeline index');
  for (const c of ONNX_COMPONENTS) {
    need(`${c}/model.onnx`, `the ${c.replace('_', ' ')} ONNX graph`);
    const data = EXTERNAL_DATA_NAMES.map((n) => `${c}/${n}`).filter((p) => present.has(p));
    // Other names are legal (the graph records the file name), so report what is there.
    for (const p of present) if (dir(p) === c && /\.(onnx_data|data|pb)$/.test(p) && !data.includes(p)) data.push(p);
    if (data.length) externalData[c] = data;
  }

  let tokenizer: LayoutReport['tokenizer'] = null;
  if (present.has('tokenizer/tokenizer.json')) tokenizer = 'tokenizer.json';
  else if (present.has('tokenizer/vocab.json') && present.has('tokenizer/merges.txt')) tokenizer = 'vocab+merges';
  else {
    const has = (n: string) => present.has(`tokenizer/${n}`);
    const atTop = ['vocab.json', 'merges.txt', 'tokenizer.json'].filter((n) => present.has(n));
    let message: string;
    if (has('vocab.json') && !has('merges.txt')) message = 'tokenizer/merges.txt is missing: the CLIP BPE tokenizer needs tokenizer/merges.txt next to tokenizer/vocab.json (or a single tokenizer/tokenizer.json).';
    else if (has('merges.txt') && !has('vocab.json')) message = 'tokenizer/vocab.json is missing: the CLIP BPE tokenizer needs tokenizer/vocab.json next to tokenizer/merges.txt (or a single tokenizer/tokenizer.json).';
    else message = 'the tokenizer is missing: expected tokenizer/vocab.json + tokenizer/merges.txt, or tokenizer/tokenizer.json.';
    if (atTop.length) message = message.slice(0, -1) + `; ${atTop.map((n) => `"${n}"`).join(', ')} ${atTop.length > 1 ? 'are' : 'is'} at the top level: move ${atTop.length > 1 ? 'them' : 'it'} into tokenizer/.`;
    problems.push({ path: has('vocab.json') ? 'tokenizer/merges.txt' : 'tokenizer/vocab.json', message });
  }

  // SDXL adds a second text encoder (and text_embeds/time_ids UNet inputs); SD3 and Flux swap
  // the UNet for a transformer. Saying so at import spares copying gigabytes that cannot run.
  const foreign = ['text_encoder_2', 'text_encoder_3', 'transformer'].filter((d) => relativePaths.some((p) => p.startsWith(`${d}/`)));
  if (foreign.length) {
    problems.push({
      path: `${foreign[0]}/`,
      message: `${foreign.map((d) => `"${d}/"`).join(', ')} ${foreign.length > 1 ? 'belong' : 'belongs'} to an SDXL or SD3/Flux pipeline (a second text encoder, or a transformer instead of a UNet): this app runs SD-1.x/2.x-family pipelines, with one CLIP text encoder and a UNet.`,
    });
  }

  if (!present.has('scheduler/scheduler_config.json')) {
    const alt = ['scheduler/config.json', 'scheduler_config.json'].filter((p) => present.has(p));
    problems.push({
      path: 'scheduler/scheduler_config.json',
      message: `scheduler/scheduler_config.json is missing (the noise schedule)${alt.length ? ` but "${alt[0]}" is present: rename it to "scheduler/scheduler_config.json"` : ''}.`,
    });
  }

  return { ok: problems.length === 0, problems, externalData, tokenizer };
}

export function formatLayoutProblems(report: LayoutReport): string {
  return `Not a diffusers ONNX pipeline folder: ${report.problems.map((p) => p.message).join(' ')}`;
}
