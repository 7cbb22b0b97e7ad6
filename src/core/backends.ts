// Which compute backend to use, decided from what the adapter offers and what the user
// forced. Pure so the policy is unit-tested; the worker applies it.

export type TfjsBackendName = 'webgpu' | 'wasm' | 'cpu';
export type OrtProviderName = 'webgpu' | 'wasm';
export type BackendPreference<T extends string> = 'auto' | T;

export interface GpuAdapterInfo {
  available: boolean;
  /** why there is no adapter (no navigator.gpu, requestAdapter returned null, …) */
  reason?: string;
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
  limits?: Record<string, number>;
  features?: string[];
}

export interface BackendChoice<T extends string> {
  /** backends to try, best first */
  order: T[];
  /** why anything better than order[0] was skipped */
  notes: string[];
}

export interface BackendAttempt<T extends string> {
  backend: T;
  ok: boolean;
  reason?: string;
}

export interface BackendOutcome<T extends string> {
  active: T | null;
  attempts: BackendAttempt<T>[];
}

export interface BackendSettings {
  tfjs: BackendPreference<TfjsBackendName>;
  ort: BackendPreference<OrtProviderName>;
}

export const defaultBackendSettings: BackendSettings = { tfjs: 'auto', ort: 'auto' };

export function hasShaderF16(gpu: GpuAdapterInfo): boolean {
  return gpu.available && (gpu.features ?? []).includes('shader-f16');
}

/**
 * A software WebGPU adapter (SwiftShader, or one the browser flags as a fallback) computes
 * correctly but on the CPU, about 100× slower than wasm for our models (measured:
 * STACK-NOTES.md and the diffusion benchmark). Automatic choice then prefers wasm.
 */
export function isSoftwareAdapter(gpu: GpuAdapterInfo): boolean {
  return gpu.available && (Boolean(gpu.isFallbackAdapter) || /swiftshader/i.test(`${gpu.architecture ?? ''} ${gpu.description ?? ''}`));
}

const softwareNote = (gpu: GpuAdapterInfo) =>
  `the WebGPU adapter is a software renderer (${gpu.architecture || 'fallback'}): wasm is faster here; choose WebGPU explicitly (Settings, or per run on the Synthesis page) to use it anyway`;

export function chooseTfjsBackends(gpu: GpuAdapterInfo, pref: BackendPreference<TfjsBackendName>): BackendChoice<TfjsBackendName> {
  const notes: string[] = [];
  if (pref !== 'auto') {
    notes.push(`forced to ${pref} in Settings`);
    // A forced backend still falls back rather than leaving the app without compute.
    const rest = (['webgpu', 'wasm', 'cpu'] as const).filter((b) => b !== pref && (b !== 'webgpu' || gpu.available));
    return { order: [pref, ...rest], notes };
  }
  if (!gpu.available) {
    notes.push(`WebGPU unavailable: ${gpu.reason ?? 'no adapter'}`);
    return { order: ['wasm', 'cpu'], notes };
  }
  if (isSoftwareAdapter(gpu)) {
    notes.push(softwareNote(gpu));
    return { order: ['wasm', 'webgpu', 'cpu'], notes };
  }
  return { order: ['webgpu', 'wasm', 'cpu'], notes };
}

export function chooseOrtProviders(gpu: GpuAdapterInfo, pref: BackendPreference<OrtProviderName>): BackendChoice<OrtProviderName> {
  const notes: string[] = [];
  if (pref === 'wasm') {
    notes.push('forced to wasm in Settings');
    return { order: ['wasm'], notes };
  }
  if (!gpu.available) {
    notes.push(`WebGPU unavailable: ${gpu.reason ?? 'no adapter'}`);
    return { order: ['wasm'], notes };
  }
  if (pref === 'webgpu') {
    notes.push('forced to webgpu in Settings');
    return { order: ['webgpu', 'wasm'], notes };
  }
  if (isSoftwareAdapter(gpu)) {
    notes.push(softwareNote(gpu));
    return { order: ['wasm', 'webgpu'], notes };
  }
  return { order: ['webgpu', 'wasm'], notes };
}

export class ProviderUnavailableError extends Error {
  constructor(
    readonly provider: OrtProviderName,
    reason: string,
  ) {
    super(`${provider === 'webgpu' ? 'WebGPU' : provider} was chosen for this run, but ${reason}; choose automatic or wasm (CPU) instead`);
    this.name = 'ProviderUnavailableError';
  }
}

/**
 * Providers for one diffusion run whose provider was picked for that run (Synthesis page,
 * a loaded pipeline). 'auto' is chooseOrtProviders' policy. A named provider is that
 * provider alone, with no fallback: the run records the provider it ran on, and a run asked
 * for on WebGPU must not quietly become a wasm run. WebGPU without an adapter throws
 * ProviderUnavailableError, before anything is loaded or generated.
 */
export function chooseRunOrtProviders(gpu: GpuAdapterInfo, pref: BackendPreference<OrtProviderName>): BackendChoice<OrtProviderName> {
  if (pref === 'auto') return chooseOrtProviders(gpu, 'auto');
  if (pref === 'webgpu' && !gpu.available) throw new ProviderUnavailableError('webgpu', `this browser has no WebGPU adapter (${gpu.reason ?? 'no adapter'})`);
  const notes = [`${pref} chosen for this run`];
  if (pref === 'webgpu' && isSoftwareAdapter(gpu)) notes.push(`the WebGPU adapter is a software renderer (${gpu.architecture || 'fallback'}): expect it to be much slower than wasm`);
  return { order: [pref], notes };
}

/** Human sentence for the status panel: what runs, and why not something better. */
export function describeOutcome<T extends string>(label: string, outcome: BackendOutcome<T>, choice: BackendChoice<T>): string {
  const failed = outcome.attempts.filter((a) => !a.ok);
  const parts = [`${label}: ${outcome.active ?? 'none available'}`];
  for (const f of failed) parts.push(`${f.backend} failed (${f.reason ?? 'unknown error'})`);
  parts.push(...choice.notes);
  return parts.join('; ');
}
