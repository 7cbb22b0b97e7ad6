// onnxruntime-web is injected, never imported at run time here: the worker passes
// `onnxruntime-web/webgpu`, Node tests pass `onnxruntime-web` (its node build). Both
// builds share these types.
import type * as OrtNamespace from 'onnxruntime-web';

export type OrtModule = typeof OrtNamespace;
/** The part of the ORT module these wrappers use (tensor construction). */
export type OrtRuntime = Pick<OrtModule, 'Tensor'>;
export type OrtSession = OrtNamespace.InferenceSession;
export type OrtTensor = OrtNamespace.Tensor;
export type OrtTensorType = OrtNamespace.Tensor.Type;
