// Workflow side of the analysis activity (analysisActivities.ts): proxied once, with its timeouts.
// librosa on a long track under load can take minutes; the heartbeat notices a lost worker sooner.
import { proxyActivities } from '@temporalio/workflow';
import { ALBUM_ACTIVITY_RETRY, LOST_WITH_ITS_WORKER_AFTER } from '../../contracts/heartbeats';
import type { AnalysisActivities } from './analysisActivities';

export const { analyzeTrack } = proxyActivities<AnalysisActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: LOST_WITH_ITS_WORKER_AFTER,
  retry: { ...ALBUM_ACTIVITY_RETRY, nonRetryableErrorTypes: ['AudioAnalysisFailed'] },
  summary: 'tempo and key',
});
