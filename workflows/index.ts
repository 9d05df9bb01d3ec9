// Workflow entry points registered by the worker.
export { songPipeline } from './songPipeline';
export { albumPipeline } from './albumPipeline';
export { providerSlots } from './providerSlots';
export { batchPipeline } from './batchPipeline';
