// Workflow side of the analysis activity (analysisActivities.ts): proxied once, with its timeouts.
// librosa on a long track under load can take minutes; the heartbeat notices a lost worker sooner.
import { proxyActivities } from '@temporalio/workflow';
import type { AnalysisActivities } from './analysisActivities';

export const { analyzeTrack } = proxyActivities<AnalysisActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '15 seconds',
  retry: { initialInterval: '2s', maximumAttempts: 3, nonRetryableErrorTypes: ['AudioAnalysisFailed'] },
  summary: 'tempo and key',
});
