// Synthesis from real NORMAL training images: source choice (test split locked), the job,
// canonical storage of the output, and the quality report over Inception features.
export { DEFAULT_NEGATIVE_PROMPT, DEFAULT_SYNTHESIS, MODEL_SCHEDULER, SCHEDULER_KINDS, defaultPrompt, schedulerOverride, synthesisSettingsProblems } from './defaults';
export { chooseSynthesisSources } from './sources';
export { runSynthesisJob, type LoadedModel, type SynthesisEngine, type SynthesisRequest, type SynthesisResult } from './synthesis-job';
export { qualityReport, rowsOf, type QualityInput } from './quality-report';
