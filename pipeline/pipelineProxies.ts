// Workflow side of the pipeline activities (pipelineActivities.ts): each proxied once, with its
// timeouts and retries. A user's file that changed since the plan was made is not retried.
import { proxyActivities } from '@temporalio/workflow';
import type { createPipelineActivities } from './pipelineActivities';

export const { loadPreviousPipeline, publishUserAudio } = proxyActivities<ReturnType<typeof createPipelineActivities>>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5, nonRetryableErrorTypes: ['UserAudioChanged'] },
  summary: 'pipeline inputs',
});
