// The environment block of a report made in this browser (from imported scores): where
// the report was assembled. Reports imported as report JSON keep their own environment.
import type { GpuAdapterInfo } from '../core/backends';
import type { Environment, Report } from '../core/report';

export interface AccelSnapshot {
  gpu: GpuAdapterInfo;
  tfjs: { outcome: { active: string | null } };
  ort: { outcome: { active: string | null } };
}

export function environmentHere(accel: AccelSnapshot | null, userAgent: string, appVersion: string): Environment {
  const gpu = accel?.gpu;
  const adapter = gpu?.available ? [gpu.vendor, gpu.architecture].filter(Boolean).join(' / ') + (gpu.description ? ` — ${gpu.description}` : '') + (gpu.isFallbackAdapter ? ' (software fallback)' : '') : null;
  return {
    browser: userAgent,
    gpuAdapter: accel ? adapter || (gpu?.reason ? `none (${gpu.reason})` : null) : null,
    backends: accel ? [`tfjs: ${accel.tfjs.outcome.active ?? 'none'}`, `onnxruntime-web: ${accel.ort.outcome.active ?? 'none'}`] : [],
    appVersion,
    recordedBy: 'this app, when the report was made from imported labels and scores',
  };
}

export function withEnvironment(report: Report, environment: Environment): Report {
  return { ...report, environment };
}
