// The activities the pipeline workflow calls, each declared once with its timeouts and retries.
import { proxyActivities } from '@temporalio/workflow';
import type { createArtifactActivities } from '../artifacts/artifactActivities';
import type { createPipelineActivities } from './pipelineActivities';

export const { storeDownload, writeTextArtifact, writeTimedLyrics } = proxyActivities<ReturnType<typeof createArtifactActivities>>({
  startToCloseTimeout: '5 minutes',
  // Downloads heartbeat as bytes arrive: a killed worker's download is retried after this, not 5 minutes.
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
  summary: 'pipeline files',
});

export const { loadPreviousPipeline, publishUserAudio } = proxyActivities<ReturnType<typeof createPipelineActivities>>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5, nonRetryableErrorTypes: ['UserAudioChanged'] },
  summary: 'pipeline inputs',
});
