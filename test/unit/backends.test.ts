import { describe, expect, it } from 'vitest';
import { chooseOrtProviders, chooseRunOrtProviders, chooseTfjsBackends, describeOutcome, hasShaderF16, isSoftwareAdapter, ProviderUnavailableError, type GpuAdapterInfo } from '../../src/core/backends';

const hardware: GpuAdapterInfo = { available: true, vendor: 'nvidia', architecture: 'ada', features: ['shader-f16'] };
const swiftshader: GpuAdapterInfo = { available: true, vendor: 'google', architecture: 'swiftshader', features: ['subgroups'] };
const none: GpuAdapterInfo = { available: false, reason: 'no navigator.gpu' };

describe('backend policy', () => {
  it('prefers WebGPU on a hardware adapter', () => {
    expect(chooseTfjsBackends(hardware, 'auto').order).toEqual(['webgpu', 'wasm', 'cpu']);
    expect(chooseOrtProviders(hardware, 'auto').order).toEqual(['webgpu', 'wasm']);
    expect(hasShaderF16(hardware)).toBe(true);
  });

  it('prefers wasm on a software adapter and says why', () => {
    expect(isSoftwareAdapter(swiftshader)).toBe(true);
    expect(isSoftwareAdapter({ ...hardware, isFallbackAdapter: true })).toBe(true);
    const tf = chooseTfjsBackends(swiftshader, 'auto');
    expect(tf.order).toEqual(['wasm', 'webgpu', 'cpu']);
    expect(tf.notes.join()).toMatch(/software renderer \(swiftshader\)/);
    expect(chooseOrtProviders(swiftshader, 'auto').order).toEqual(['wasm', 'webgpu']);
    expect(hasShaderF16(swiftshader)).toBe(false);
  });

  it('honours a forced backend but keeps fallbacks', () => {
    expect(chooseTfjsBackends(swiftshader, 'webgpu').order).toEqual(['webgpu', 'wasm', 'cpu']);
    expect(chooseOrtProviders(swiftshader, 'webgpu').order).toEqual(['webgpu', 'wasm']);
    expect(chooseOrtProviders(hardware, 'wasm').order).toEqual(['wasm']);
    // forced webgpu without an adapter is still tried first, so its failure is recorded and shown
    expect(chooseTfjsBackends(none, 'webgpu').order).toEqual(['webgpu', 'wasm', 'cpu']);
  });

  it('falls back without WebGPU and names the reason', () => {
    const c = chooseTfjsBackends(none, 'auto');
    expect(c.order).toEqual(['wasm', 'cpu']);
    expect(describeOutcome('tfjs backend', { active: 'wasm', attempts: [{ backend: 'wasm', ok: true }] }, c)).toBe('tfjs backend: wasm; WebGPU unavailable: no navigator.gpu');
    expect(
      describeOutcome('ORT', { active: 'wasm', attempts: [{ backend: 'webgpu', ok: false, reason: 'device lost' }, { backend: 'wasm', ok: true }] }, chooseOrtProviders(hardware, 'auto')),
    ).toBe('ORT: wasm; webgpu failed (device lost)');
  });

  it('a provider chosen for a run is used alone; WebGPU without an adapter is an error, automatic is the policy', () => {
    expect(chooseRunOrtProviders(swiftshader, 'auto')).toEqual(chooseOrtProviders(swiftshader, 'auto'));
    expect(chooseRunOrtProviders(hardware, 'auto').order).toEqual(['webgpu', 'wasm']);
    expect(chooseRunOrtProviders(none, 'auto').order).toEqual(['wasm']);
    expect(chooseRunOrtProviders(hardware, 'wasm')).toEqual({ order: ['wasm'], notes: ['wasm chosen for this run'] });
    expect(chooseRunOrtProviders(hardware, 'webgpu')).toEqual({ order: ['webgpu'], notes: ['webgpu chosen for this run'] });
    const soft = chooseRunOrtProviders(swiftshader, 'webgpu');
    expect(soft.order).toEqual(['webgpu']);
    expect(soft.notes.join('; ')).toMatch(/software renderer \(swiftshader\): expect it to be much slower than wasm/);
    expect(chooseRunOrtProviders(none, 'wasm').order).toEqual(['wasm']);
    expect(() => chooseRunOrtProviders(none, 'webgpu')).toThrow(ProviderUnavailableError);
    expect(() => chooseRunOrtProviders(none, 'webgpu')).toThrow(
      'WebGPU was chosen for this run, but this browser has no WebGPU adapter (no navigator.gpu); choose automatic or wasm (CPU) instead',
    );
  });
});
