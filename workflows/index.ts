// Workflow entry points registered by the worker.
export { songPipeline } from '../song/songPipeline';
export { albumPipeline } from '../album/albumPipeline';
export { providerSlots } from '../slots/providerSlots';
export { batchPipeline } from '../album/batchPipeline';
export { pipelineRun } from '../pipeline/pipelineRun';
