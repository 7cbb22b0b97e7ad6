export { buildDemoPipeline, DEMO_PIPELINE_NAME, DEMO_PIPELINE_VERSION, type DemoPipeline, type DemoPipelineOptions } from './demo-pipeline';
export { buildDemoVocabulary, DEMO_FINDING_WORDS } from './demo-vocabulary';
