// Workflow side of the report activity (albumReport.ts): proxied once. Bad input (album.json or a
// file it lists missing) fails at once; a store that does not answer is tried again.
import { proxyActivities } from '@temporalio/workflow';
import { ALBUM_ACTIVITY_RETRY, LOST_WITH_ITS_WORKER_AFTER } from '../../contracts/heartbeats';
import type { AlbumReportActivities } from './albumReport';

export const { writeAlbumReport } = proxyActivities<AlbumReportActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: LOST_WITH_ITS_WORKER_AFTER,
  retry: { ...ALBUM_ACTIVITY_RETRY, nonRetryableErrorTypes: ['AlbumAssemblyFailed'] },
  summary: 'album report',
});
