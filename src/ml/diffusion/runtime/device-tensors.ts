// Copies a CPU tensor into a GPU buffer on ORT's own WebGPU device, so a session on the
// WebGPU EP reads it without an upload per run (ORT IO binding: Tensor.fromGpuBuffer).
// Used for the UNet's text embeddings, which are the same on every denoising step.
import type { OrtModule, OrtTensor } from '../onnx/ort-types';
import type { DeviceTensor } from '../onnx/onnx-unet-denoiser';

/** ORT's WebGPU device, once a WebGPU session exists; undefined otherwise. */
export async function ortWebGpuDevice(ort: OrtModule): Promise<GPUDevice | undefined> {
  try {
    // Typed as Promise<GPUDevice>; onnxruntime-web 1.30 returns the device itself once
    // initialised (ml/backend/ort-setup.ts relies on the same).
    return (await Promise.resolve(ort.env.webgpu.device as GPUDevice | Promise<GPUDevice>)) ?? undefined;
  } catch {
    return undefined;
  }
}

export function webGpuUploader(ort: OrtModule, device: GPUDevice): (t: OrtTensor) => DeviceTensor {
  return (t) => {
    if (t.type !== 'float32' && t.type !== 'float16') throw new Error(`device upload of ${t.type} tensors is not supported`);
    const src = t.data as Float32Array | Uint16Array;
    // writeBuffer needs a size that is a multiple of 4 bytes (odd-length float16 data).
    const size = Math.ceil(src.byteLength / 4) * 4;
    const bytes = new Uint8Array(size);
    bytes.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
    const buffer = device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(buffer, 0, bytes);
    const tensor = ort.Tensor.fromGpuBuffer(buffer, { dataType: t.type, dims: t.dims });
    return {
      tensor,
      release: () => {
        tensor.dispose();
        buffer.destroy();
      },
    };
  };
}
